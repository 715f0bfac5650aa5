"""An operator's reads within their kecamatan (issue 19) give the very rows and figures an
unscoped reader's filter by that kecamatan gives: follow-ups are scoped through their copy of
the case's kelurahan (migration 0018), kept by triggers whoever writes. SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

import pytest

from psm_tui.core import case_queries, cases, clock, dashboard, followups
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import Actor
from psm_tui.core.followups import FollowUpFilter
from psm_tui.store import database
from psm_tui.store.dialects import postgresql as postgresql_dialect
from psm_tui.store.dialects import sqlite as sqlite_dialect
from psm_tui.store.models import Case, FollowUp
from tests.conftest import make_user

START = dt.datetime(2026, 3, 2, 9, 0)
TODAY = dt.date(2026, 3, 21)
NIK = "3671054107850002"
KARAWACI = "36.71.07"
PORIS_PLAWAD = "36.71.05.1008"  # Kec. Cipondoh
EVERY_KIND = (
    FollowUpFilter(),
    FollowUpFilter(open_only=True),
    FollowUpFilter(overdue=True),
    FollowUpFilter(due_soon=True),
    FollowUpFilter(opd="DINKES"),
)


@pytest.fixture
def numbers(admin: Actor, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """One client (one NIK) with a case in two kelurahan of Karawaci and one in Cipondoh, each
    with an overdue, a due-soon and a closed follow-up; and a Karawaci case with only a
    due-soon one."""
    monkeypatch.setattr(clock, "now", lambda: START)
    made = []
    for kelurahan in ("Karawaci", "Cimone", "Poris Plawad"):
        number = cases.register_case(
            admin, name="Ibu Sari", kelurahan=kelurahan, category=8, nik=NIK
        ).case.number
        followups.create_followup(admin, number, opd="DINKES", action="PBI", due="2026-03-10")
        followups.create_followup(admin, number, opd="DINSOS", action="PKH", due="2026-03-25")
        done = followups.create_followup(
            admin, number, opd="DINKES", action="KIS", due="2026-03-10"
        )
        followups.update_followup(admin, done.id, "selesai")
        made.append(number)
    budi = cases.register_case(admin, name="Pak Budi", kelurahan="Karawaci", category=24)
    followups.create_followup(
        admin, budi.case.number, opd="DINSOS", action="BPNT", due="2026-03-25"
    )
    made.append(budi.case.number)
    monkeypatch.setattr(clock, "now", lambda: dt.datetime.combine(TODAY, dt.time(10, 0)))
    return made


@pytest.fixture
def operator(admin: Actor, numbers: list[str]) -> Actor:
    return make_user(admin, "okar", "operator", kecamatan="Karawaci")


def _ids(filters: FollowUpFilter, actor: Actor, limit: int | None = 500) -> list[int]:
    return [f.id for f in followups.list_followups(filters, limit=limit, actor=actor)]


@pytest.mark.parametrize("limit", [500, None, 1])
def test_the_operators_follow_ups_are_the_kecamatans(
    admin: Actor, operator: Actor, limit: int | None
) -> None:
    for filters in EVERY_KIND:
        mine = _ids(filters, operator, limit)
        assert mine and mine == _ids(dataclasses.replace(filters, kecamatan=KARAWACI), admin, limit)
        assert followups.count_followups(filters, operator) == len(_ids(filters, operator, None))
    assert (
        len(_ids(FollowUpFilter(), operator, None)) == 7 < len(_ids(FollowUpFilter(), admin, None))
    )


def test_the_operators_overdue_cases_and_their_count_are_the_kecamatans(
    admin: Actor, operator: Actor, numbers: list[str]
) -> None:
    overdue = CaseFilter(overdue=True)
    by_filter = CaseFilter(overdue=True, kecamatan=KARAWACI)
    mine = [c.number for c in case_queries.list_cases(operator, overdue)]
    assert mine == [c.number for c in case_queries.list_cases(admin, by_filter)]
    assert sorted(mine) == sorted(numbers[:2])
    assert case_queries.count_cases(overdue, operator) == 2
    assert case_queries.count_cases(by_filter, admin) == 2
    assert case_queries.count_cases(overdue, admin) == 3
    elsewhere = CaseFilter(overdue=True, kecamatan="36.71.05")
    assert case_queries.count_cases(elsewhere, operator) == 0
    assert case_queries.list_cases(operator, elsewhere) == []


def test_the_operators_dashboard_follow_up_figures_are_the_kecamatans(
    admin: Actor, operator: Actor
) -> None:
    waiting = followups.list_followups(
        FollowUpFilter(open_only=True, kecamatan=KARAWACI), limit=None, actor=admin
    )
    figures = dashboard.figures(operator)
    expected = (sum(f.overdue for f in waiting), sum(f.due_soon for f in waiting))
    assert (figures.overdue_followups, figures.due_soon_followups) == expected == (2, 3)
    assert (dashboard.figures(admin).overdue_followups, figures.open_cases) == (3, 3)
    per_opd = Counter(f.opd_code for f in waiting)
    late = Counter(f.opd_code for f in waiting if f.overdue)
    every = [o.code for o in dashboard.followups_by_opd(admin)]
    assert [(o.code, o.open, o.overdue) for o in dashboard.followups_by_opd(operator)] == [
        (code, per_opd[code], late[code]) for code in every
    ]
    assert sum(o.open for o in dashboard.followups_by_opd(admin)) == 7


def test_the_operators_nik_count_is_the_kecamatans(
    admin: Actor, operator: Actor, numbers: list[str]
) -> None:
    for text in (NIK, numbers[0], numbers[2]):
        by_filter = CaseFilter(search=text, kecamatan=KARAWACI)
        scoped = case_queries.count_cases(CaseFilter(search=text), operator)
        assert scoped == case_queries.count_cases(by_filter, admin)
        assert scoped == len(case_queries.list_cases(operator, CaseFilter(search=text)))
    assert case_queries.count_cases(CaseFilter(search=NIK), operator) == 2
    assert case_queries.count_cases(CaseFilter(search=NIK), admin) == 3
    assert case_queries.count_cases(CaseFilter(search=numbers[2]), operator) == 0


@pytest.mark.parametrize("broad_at", [0, 1, 10**6])
def test_the_operators_word_search_is_the_kecamatans_on_every_plan(
    admin: Actor,
    operator: Actor,
    numbers: list[str],
    monkeypatch: pytest.MonkeyPatch,
    broad_at: int,
) -> None:
    """Both engines choose between walking the page's order and fetching the hits by the hit
    count, which within a kecamatan counts 13 times more (case_queries._spread): 0 walks for
    everyone, 1 walks for the admin but fetches the hits for the operator, 10**6 fetches."""
    monkeypatch.setattr(sqlite_dialect, "BROAD_SEARCH", broad_at)
    monkeypatch.setattr(postgresql_dialect, "BROAD_SEARCH", broad_at)
    karawaci = {numbers[0], numbers[1], numbers[3]}
    for text in ("sari", "ibu sari", "budi", "pak"):
        everyone = [c.number for c in case_queries.list_cases(admin, CaseFilter(search=text))]
        expected = [number for number in everyone if number in karawaci]
        scoped = [c.number for c in case_queries.list_cases(operator, CaseFilter(search=text))]
        assert scoped == expected
        assert case_queries.count_cases(CaseFilter(search=text), operator) == len(expected)
    assert len(case_queries.list_cases(operator, CaseFilter(search="sari"))) == 2


def test_a_word_search_within_a_kecamatan_is_broad_later(
    admin: Actor, numbers: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three hits for "sari": above a threshold of 1 the city's page walks its order, but a
    kecamatan's (13 times further to walk) fetches the hits: the two statements differ."""
    monkeypatch.setattr(sqlite_dialect, "BROAD_SEARCH", 1)
    monkeypatch.setattr(postgresql_dialect, "BROAD_SEARCH", 1)

    def statement(scope: str | None) -> str:
        conditions = case_queries.case_conditions(
            CaseFilter(search="sari"), walk_order=True, scope=scope
        )
        return str(Case.select(Case.id).where(*conditions).sql())

    assert statement(None) != statement(KARAWACI)
    monkeypatch.setattr(sqlite_dialect, "BROAD_SEARCH", 10**6)
    monkeypatch.setattr(postgresql_dialect, "BROAD_SEARCH", 10**6)
    assert statement(None) == statement(KARAWACI)  # narrow for both: the same plan


def _copies_match() -> bool:
    rows = FollowUp.select(FollowUp.kelurahan_code, Case.kelurahan).join(Case).tuples()
    return all(copy == own for copy, own in rows)


def test_a_case_moved_to_another_kecamatan_takes_its_follow_ups(
    admin: Actor, operator: Actor, numbers: list[str]
) -> None:
    Case.update(kelurahan=PORIS_PLAWAD).where(Case.number == numbers[0]).execute()
    assert _copies_match()
    assert {f.case_number for f in followups.list_followups(actor=operator)} == {
        numbers[1],
        numbers[3],
    }
    cipondoh = make_user(admin, "ocip", "operator", kecamatan="Cipondoh")
    moved = {f.case_number for f in followups.list_followups(actor=cipondoh)}
    assert moved == {numbers[0], numbers[2]}
    assert dashboard.figures(cipondoh).overdue_followups == 2


def test_migration_0018_copies_the_kelurahan_of_existing_follow_ups(
    admin: Actor, operator: Actor, numbers: list[str]
) -> None:
    runner = database.runner()
    undone = runner.down("0018_follow_up_kelurahan")  # the later migrations go down first
    assert undone[-1] == "0018_follow_up_kelurahan"
    assert runner.up() == sorted(undone)
    assert FollowUp.select().where(FollowUp.kelurahan_code.is_null()).count() == 0
    assert _copies_match()
    assert len(_ids(FollowUpFilter(), operator, None)) == 7
