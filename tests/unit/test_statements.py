"""Statements compiled once per shape (store/statements.py) answer as the query built anew would,
whatever values and day they run with, and the cache of them stays bounded."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import peewee
import pytest

from psm_tui.core import case_queries, clock, users
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import Actor
from psm_tui.store.models import Case, Client, FollowUp, Kelurahan
from psm_tui.store.statements import HOLE, STATEMENTS, StatementCache, slot

D = dt.date


def _with_slots() -> peewee.Query:
    return (
        Case.select(Case.id, Case.number, Case.status)
        .where(Case.status == slot(0), Case.priority != slot(1), Case.id.in_(HOLE))
        .order_by(Case.id)
    )


def test_one_compiled_statement_gives_the_rows_of_each_query_built_anew(demo_db: Path) -> None:
    cache = StatementCache()
    tried = 0
    for status in ("baru", "ditangani", "selesai"):
        for priority in ("normal", "darurat"):
            for kelurahan in ("36.71.05.1008", "36.71.01.1001"):
                inner = Case.select(Case.id).where(Case.kelurahan == kelurahan)
                cached = cache.rows("probe", _with_slots, (status, priority), inner)
                built = (
                    Case.select(Case.id, Case.number, Case.status)
                    .where(Case.status == status, Case.priority != priority, Case.id.in_(inner))
                    .order_by(Case.id)
                    .tuples()
                )
                assert cached == [tuple(row) for row in built]
                tried += bool(cached)
    assert tried >= 6  # the probe found rows, not only empty answers
    assert len(cache) == 1  # compiled once, bound twelve times


def test_the_cache_keeps_the_latest_shapes_only(demo_db: Path) -> None:
    cache = StatementCache(size=3)
    for shape in range(10):
        cache.statement(("shape", shape), _with_slots)
    assert len(cache) == 3

    def never() -> peewee.Query:
        raise AssertionError("a kept shape was compiled again")

    for shape in (7, 8, 9):
        cache.statement(("shape", shape), never)
    with pytest.raises(AssertionError):
        cache.statement(("shape", 0), never)


def test_a_page_counts_overdue_follow_ups_as_of_each_call(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The day is a parameter of the compiled list statement, not fixed when it was compiled."""
    admin = users.actor_for("tester")
    due = FollowUp.select(FollowUp.due_on).where(FollowUp.due_on.is_null(False))
    latest = max(row.due_on for row in due)
    filters = CaseFilter(status=("ditugaskan", "ditangani"))
    monkeypatch.setattr(clock, "today", lambda: dt.date(1990, 1, 1))
    early = case_queries.list_cases(admin, filters, limit=500)
    monkeypatch.setattr(clock, "today", lambda: latest + dt.timedelta(days=1))
    late = case_queries.list_cases(admin, filters, limit=500)
    assert [row.number for row in early] == [row.number for row in late]
    assert sum(row.overdue_followups for row in early) == 0
    assert sum(row.overdue_followups for row in late) == sum(row.open_followups for row in late)
    assert sum(row.open_followups for row in late) > 0


def test_pages_read_from_several_threads_are_each_their_own(demo_db: Path) -> None:
    admin = users.actor_for("tester")
    STATEMENTS._entries.clear()  # every thread starts on a statement not yet compiled
    filters = [CaseFilter(status=(status,)) for status in ("baru", "ditangani", "selesai")]
    expected = [case_queries.list_cases(admin, f, limit=100) for f in filters]
    STATEMENTS._entries.clear()
    got: dict[int, list[object]] = {}

    def read(index: int) -> None:
        for _ in range(5):
            got.setdefault(index, []).append(case_queries.list_cases(admin, filters[index % 3]))

    threads = [threading.Thread(target=read, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index in range(6):
        assert got[index] == [expected[index % 3][:50]] * 5


def test_each_page_is_the_page_built_without_the_cache(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages and counts of one shape with other values (and of many shapes) read as the query
    built anew with its values inline."""
    admin = users.actor_for("tester")
    operator = Actor(0, "op", "Op", "operator", "36.71.05")
    supervisor = Actor(0, "sup", "Sup", "supervisor", "36.71.05")
    in_cipondoh = Kelurahan.select(Kelurahan.code).where(Kelurahan.kecamatan == "36.71.05")
    with_nik = Client.select(Client.id).where(Client.nik.is_null(False))
    some = (
        Case.select()
        .where(Case.kelurahan.in_(in_cipondoh), Case.client.in_(with_nik))
        .order_by(Case.id.desc())
        .first()
    )
    client = Client.get_by_id(some.client_id)
    assert client.nik
    pages = [
        (admin, CaseFilter(), {}),
        (admin, CaseFilter(), {"offset": 50}),
        (admin, CaseFilter(), {"limit": 7, "offset": 3, "order": "priority"}),
        (admin, CaseFilter(), {"limit": None, "order": "number"}),
        (admin, CaseFilter(status=("baru",)), {}),
        (admin, CaseFilter(status=("selesai",)), {"order": "oldest"}),
        (admin, CaseFilter(status=("baru", "ditangani")), {}),
        (admin, CaseFilter(kecamatan="36.71.05", priority="darurat"), {}),
        (admin, CaseFilter(kecamatan="36.71.01", priority="normal"), {}),
        (admin, CaseFilter(kelurahan=some.kelurahan_code, category="8"), {}),
        (admin, CaseFilter(kelurahan="36.71.05.1008", category="3"), {}),
        (admin, CaseFilter(overdue=True), {}),
        (admin, CaseFilter(unassigned=True), {}),
        (
            admin,
            CaseFilter(reported_from=dt.date(2025, 1, 1), reported_to=dt.date(2025, 6, 30)),
            {},
        ),
        (
            admin,
            CaseFilter(reported_from=dt.date(2024, 3, 1), reported_to=dt.date(2024, 3, 31)),
            {},
        ),
        (admin, CaseFilter(search=client.nik), {}),
        (admin, CaseFilter(search=some.number), {}),
        (admin, CaseFilter(search="2026-000001"), {}),
        (admin, CaseFilter(client_id=client.id), {}),
        (operator, CaseFilter(), {}),
        (operator, CaseFilter(status=("baru",)), {}),
        (operator, CaseFilter(client_id=client.id), {"limit": None}),
        (operator, CaseFilter(search=client.nik), {}),
        (supervisor, CaseFilter(client_id=client.id), {"limit": None}),
        (supervisor, CaseFilter(client_id=client.id + 1), {"limit": None}),
    ]
    uncached, counts = [], []
    with monkeypatch.context() as patched:
        patched.setattr(case_queries, "_shape", lambda *args: None)
        for actor, filters, options in pages:
            uncached.append(case_queries.list_cases(actor, filters, **options))
            counts.append(case_queries.count_cases(filters, actor))
    assert sum(map(bool, uncached)) >= len(pages) - 3  # pages with rows, not only empty ones
    STATEMENTS._entries.clear()
    for (actor, filters, options), expected, count in zip(pages, uncached, counts, strict=True):
        assert case_queries.list_cases(actor, filters, **options) == expected, (filters, options)
        assert case_queries.count_cases(filters, actor) == count, filters
    assert len(STATEMENTS) < 2 * len(pages)  # reads of one shape shared their statement
