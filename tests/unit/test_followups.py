"""Follow-ups to OPD: their life cycle, and overdue / due soon derived from the clock."""

from __future__ import annotations

import datetime as dt

import pytest

from psm_tui.core import assignment, case_queries, cases, clock, followups, workers
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ConflictError, NotFoundError, ValidationError
from psm_tui.core.followups import FOLLOWUP_TRANSITIONS, FollowUpFilter
from psm_tui.core.labels import FOLLOWUP_STATUSES
from psm_tui.store.models import AuditLog, FollowUp

START = dt.datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def number(admin: Actor, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(clock, "now", lambda: START)
    workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="Poris Plawad")
    number = cases.register_case(
        admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8
    ).case.number
    assignment.assign_case(admin, number, auto=True)
    return number


def move_to(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(clock, "now", lambda: dt.datetime.combine(day, dt.time(10, 0)))


def test_create_with_default_and_explicit_due_dates(admin: Actor, number: str) -> None:
    info = followups.create_followup(admin, number, opd="dinkes", action="Daftarkan PBI-JK")
    assert (info.opd_code, info.opd_name, info.status) == ("DINKES", "Dinkes", "dikirim")
    assert info.due_on == dt.date(2026, 3, 16)
    other = followups.create_followup(
        admin, number, opd="Satpol PP", action="Jangkau", due="2026-03-05", default_days=30
    )
    assert (other.opd_code, other.due_on) == ("SATPOLPP", dt.date(2026, 3, 5))
    detail = case_queries.case_detail(admin, number)
    assert [f.id for f in detail.followups] == [info.id, other.id]
    assert detail.activities[-1].text == "to Satpol PP: Jangkau (due 5 Mar 2026)"
    assert detail.version == 2  # a follow-up does not touch the case's version


def test_create_refusals_write_nothing(admin: Actor, number: str) -> None:
    rows = AuditLog.select().count()
    with pytest.raises(NotFoundError, match="Unknown OPD KEMENSOS"):
        followups.create_followup(admin, number, opd="KEMENSOS", action="x")
    with pytest.raises(ValidationError, match="Requested action must not be empty"):
        followups.create_followup(admin, number, opd="DINKES", action=" ")
    with pytest.raises(ValidationError, match="in the past"):
        followups.create_followup(admin, number, opd="DINKES", action="x", due="2026-03-01")
    with pytest.raises(NotFoundError, match="Case 2026-999999 not found"):
        followups.create_followup(admin, "2026-999999", opd="DINKES", action="x")
    cases.change_status(admin, number, "ditangani")
    cases.change_status(admin, number, "selesai", outcome="beres")
    rows = AuditLog.select().count()
    with pytest.raises(ConflictError, match="is selesai; reopen it first"):
        followups.create_followup(admin, number, opd="DINKES", action="x")
    assert FollowUp.select().count() == 0
    assert AuditLog.select().count() == rows


def test_the_transition_table() -> None:
    assert set(FOLLOWUP_TRANSITIONS) == set(FOLLOWUP_STATUSES)
    assert {k: set(v) for k, v in FOLLOWUP_TRANSITIONS.items()} == {
        "dikirim": {"diterima", "selesai", "ditolak", "dibatalkan"},
        "diterima": {"selesai", "ditolak", "dibatalkan"},
        "selesai": set(),
        "ditolak": set(),
        "dibatalkan": set(),
    }


@pytest.mark.parametrize(
    "path",
    [
        ["diterima", "selesai"],
        ["selesai"],
        ["diterima", "ditolak"],
        ["ditolak"],
        ["dibatalkan"],
        ["diterima", "dibatalkan"],
    ],
)
def test_every_path_ends_final(admin: Actor, number: str, path: list[str]) -> None:
    info = followups.create_followup(admin, number, opd="DINKES", action="PBI")
    for status in path:
        info = followups.update_followup(admin, info.id, status, response="jawaban OPD")
        assert info.status == status
    for status in FOLLOWUP_STATUSES:
        with pytest.raises(ConflictError, match=f"cannot go from {path[-1]} to {status}"):
            followups.update_followup(admin, info.id, status, response="lagi")
    assert FollowUp.get_by_id(info.id).status == path[-1]


def test_accept_complete_and_the_answer(
    admin: Actor, number: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = followups.create_followup(admin, number, opd="DINKES", action="PBI")
    move_to(monkeypatch, dt.date(2026, 3, 4))
    info = followups.update_followup(admin, info.id, "diterima")
    assert info.responded_at == dt.datetime(2026, 3, 4, 10, 0)
    move_to(monkeypatch, dt.date(2026, 3, 9))
    info = followups.update_followup(admin, info.id, "selesai", response="Terdaftar PBI")
    assert (info.response, info.responded_at) == ("Terdaftar PBI", dt.datetime(2026, 3, 4, 10, 0))
    assert not info.overdue and not info.due_soon


def test_a_rejection_needs_the_reason(admin: Actor, number: str) -> None:
    info = followups.create_followup(admin, number, opd="DINKES", action="PBI")
    with pytest.raises(ValidationError, match="rejection needs the OPD's reason"):
        followups.update_followup(admin, info.id, "ditolak")
    assert FollowUp.get_by_id(info.id).status == "dikirim"
    info = followups.update_followup(admin, info.id, "ditolak", response="Kuota habis")
    assert (info.status, info.reason, info.response) == ("ditolak", "Kuota habis", None)


def test_unknown_status_and_followup(admin: Actor, number: str) -> None:
    info = followups.create_followup(admin, number, opd="DINKES", action="PBI")
    with pytest.raises(ValidationError, match="Unknown follow-up status"):
        followups.update_followup(admin, info.id, "done")
    with pytest.raises(NotFoundError, match="Follow-up 999 not found"):
        followups.update_followup(admin, 999, "selesai")


def test_overdue_and_due_soon_follow_the_clock(
    admin: Actor, number: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = followups.create_followup(admin, number, opd="DINKES", action="PBI", due="2026-03-20")
    done = followups.create_followup(admin, number, opd="DINSOS", action="x", due="2026-03-20")
    followups.update_followup(admin, done.id, "selesai")

    def state(day: dt.date) -> tuple[bool, bool]:
        move_to(monkeypatch, day)
        current = followups.get_followup(info.id)
        return current.overdue, current.due_soon

    assert state(dt.date(2026, 3, 12)) == (False, False)
    assert state(dt.date(2026, 3, 13)) == (False, True)  # seven days ahead
    assert state(dt.date(2026, 3, 20)) == (False, True)  # due today
    assert state(dt.date(2026, 3, 21)) == (True, False)
    assert [f.id for f in followups.list_followups(FollowUpFilter(overdue=True))] == [info.id]
    summary = case_queries.list_cases(admin)[0]
    assert (summary.open_followups, summary.overdue_followups) == (1, 1)
    overdue_cases = case_queries.list_cases(admin, case_queries.CaseFilter(overdue=True))
    assert [c.number for c in overdue_cases] == [number]
    finished = followups.get_followup(done.id)
    assert (finished.overdue, finished.due_soon) == (False, False)
    followups.update_followup(admin, info.id, "diterima")
    assert state(dt.date(2026, 3, 21)) == (True, False)  # accepted is still open
    followups.update_followup(admin, info.id, "dibatalkan")
    assert state(dt.date(2026, 3, 21)) == (False, False)
    assert followups.list_followups(FollowUpFilter(overdue=True)) == []


def test_list_filters_and_order(admin: Actor, number: str, monkeypatch: pytest.MonkeyPatch) -> None:
    later = followups.create_followup(admin, number, opd="DINKES", action="a", due="2026-04-30")
    late = followups.create_followup(admin, number, opd="BAZNAS", action="b", due="2026-03-03")
    soon = followups.create_followup(admin, number, opd="DINKES", action="c", due="2026-03-08")
    move_to(monkeypatch, dt.date(2026, 3, 5))
    assert [f.id for f in followups.list_followups()] == [late.id, soon.id, later.id]
    assert [f.id for f in followups.list_followups(FollowUpFilter(opd="dinkes"))] == [
        soon.id,
        later.id,
    ]
    assert [f.id for f in followups.list_followups(FollowUpFilter(due_soon=True))] == [soon.id]
    by_case = followups.followups_by_case([case_queries.case_row(number).id])
    assert [f.id for f in next(iter(by_case.values()))] == [later.id, late.id, soon.id]
