"""Moves and departures hand every open case over in one step; profiles; incentive months."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from psm_tui.core import assignment, cases, ipsm, roster, timeline, training, workers
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ConflictError, PermissionDenied, ValidationError
from psm_tui.core.labels import OPEN_STATUSES
from psm_tui.store.models import Activity, Assignment, AuditLog, Case, IpsmPosition, Worker
from tests.conftest import make_user

PORIS = "Poris Plawad"  # Kec. Cipondoh


def psm(admin: Actor, name: str, kelurahan: str) -> int:
    return workers.add_worker(admin, kind="psm", name=name, kelurahan=kelurahan).id


def give_cases(admin: Actor, worker_id: int, kelurahan: str, count: int) -> list[str]:
    numbers = []
    for index in range(count):
        number = cases.register_case(
            admin, name=f"Klien {chr(65 + index)}", kelurahan=kelurahan, category=24
        ).case.number
        assignment.assign_case(admin, number, worker_id=worker_id)
        numbers.append(number)
    return numbers


@pytest.fixture
def team(admin: Actor) -> dict[str, int]:
    """Three PSM in Poris Plawad, one in Kenanga (same kecamatan), the TKSK of Cipondoh."""
    return {
        "leaver": psm(admin, "Budi Santoso", PORIS),
        "ani": psm(admin, "Ani Lestari", PORIS),
        "citra": psm(admin, "Citra Dewi", PORIS),
        "dodi": psm(admin, "Dodi Pratama", "Kenanga"),
        "tksk": workers.add_worker(admin, kind="tksk", name="Eko Wibowo", kecamatan="Cipondoh").id,
    }


def open_held_by(worker_id: int) -> int:
    return Case.select().where(Case.worker == worker_id, Case.status.in_(OPEN_STATUSES)).count()


def assert_handed_over(
    numbers: list[str], leaver: int, handed: list[roster.HandoverItem], why: str
) -> None:
    """Each case: a new holder, an open assignment row for them, the old one ended, an audit row."""
    assert sorted(item.case_number for item in handed) == sorted(numbers)
    for item in handed:
        case = Case.get(Case.number == item.case_number)
        assert case.worker_id == item.worker_id != leaver
        rows = list(Assignment.select().where(Assignment.case == case.id).order_by(Assignment.id))
        assert [r.worker_id for r in rows] == [leaver, item.worker_id]
        assert rows[0].ended_at is not None and rows[1].ended_at is None
        assert timeline.render(rows[1].reason) == item.reason == f"hand-over: {why}; {item.basis}"
        audit_rows = AuditLog.select().where(
            AuditLog.case_number == item.case_number, AuditLog.action == "case.assign"
        )
        changes = [json.loads(a.changes).get("worker") for a in audit_rows]
        assert [leaver, item.worker_id] in changes


def test_move_hands_every_open_case_over_by_load(admin: Actor, team: dict[str, int]) -> None:
    leaver = team["leaver"]
    numbers = give_cases(admin, leaver, PORIS, 5)
    give_cases(admin, team["ani"], PORIS, 1)  # Ani starts with one case, Citra with none
    closed = give_cases(admin, leaver, PORIS, 1)[0]
    cases.change_status(admin, closed, "ditangani")
    cases.change_status(admin, closed, "selesai", outcome="Sudah dibantu")

    change = roster.move_worker(admin, leaver, "Kenanga", auto=True)

    assert_handed_over(
        numbers, leaver, change.handed_over, "Budi Santoso moved to Kel. Kenanga, Kec. Cipondoh"
    )
    assert change.handed_over[0].basis == (
        "PSM of Kel. Poris Plawad, Kec. Cipondoh with 0 open cases"  # Citra had none
    )
    assert open_held_by(leaver) == 0
    assert Case.get(Case.number == closed).worker_id == leaver  # history is not rewritten
    assert {open_held_by(team["ani"]), open_held_by(team["citra"])} == {3}
    assert open_held_by(team["dodi"]) == 0  # the kelurahan's own PSM come first
    moved = Worker.get_by_id(leaver)
    assert (moved.kelurahan_code, moved.active) == ("36.71.05.1005", True)
    entry = AuditLog.get(AuditLog.action == "worker.move", AuditLog.entity_id == str(leaver))
    assert json.loads(entry.changes)["kelurahan"] == ["36.71.05.1008", "36.71.05.1005"]


def test_deactivate_hands_over_to_chosen_colleagues(admin: Actor, team: dict[str, int]) -> None:
    leaver = team["leaver"]
    numbers = give_cases(admin, leaver, PORIS, 4)
    give_cases(admin, team["ani"], PORIS, 2)

    change = roster.deactivate_worker(
        admin, leaver, "Pindah ke luar kota", to=[team["ani"], team["dodi"]]
    )

    assert_handed_over(
        numbers, leaver, change.handed_over, "Budi Santoso left: Pindah ke luar kota"
    )
    assert {item.basis for item in change.handed_over} == {"chosen by Test Admin"}
    # Dodi (0 cases) takes three, then Ani (2) and Dodi (3) share by load.
    assert [item.worker_id for item in change.handed_over] == [
        team["dodi"],
        team["dodi"],
        team["ani"],
        team["dodi"],
    ]
    row = Worker.get_by_id(leaver)
    assert (row.active, row.inactive_reason, row.inactive_on) == (
        False,
        "Pindah ke luar kota",
        dt.date.today(),
    )
    held_by_inactive = (
        Case.select()
        .join(Worker)
        .where(Worker.active == False, Case.status.in_(OPEN_STATUSES))  # noqa: E712
        .count()
    )
    assert held_by_inactive == 0
    assert AuditLog.select().where(AuditLog.action == "worker.deactivate").count() == 1


def test_deactivate_without_handover_changes_nothing(admin: Actor, team: dict[str, int]) -> None:
    numbers = give_cases(admin, team["leaver"], PORIS, 2)
    with pytest.raises(ConflictError, match="still holds 2 open cases"):
        roster.deactivate_worker(admin, team["leaver"], "Berhenti")
    assert Worker.get_by_id(team["leaver"]).active
    assert open_held_by(team["leaver"]) == len(numbers)


def test_auto_falls_back_to_the_kecamatan_then_the_tksk(admin: Actor) -> None:
    leaver = psm(admin, "Budi Santoso", PORIS)
    other = psm(admin, "Dodi Pratama", "Kenanga")
    tksk = workers.add_worker(admin, kind="tksk", name="Eko Wibowo", kecamatan="Cipondoh").id
    first = give_cases(admin, leaver, PORIS, 1)

    change = roster.deactivate_worker(admin, leaver, "Berhenti", auto=True)
    assert [item.worker_id for item in change.handed_over] == [other]
    assert "same kecamatan" in change.handed_over[0].reason

    second = give_cases(admin, other, PORIS, 1)
    change = roster.move_worker(admin, other, "Sukarasa", auto=True)  # Kec. Tangerang
    assert [(i.case_number, i.worker_id) for i in change.handed_over] == [
        (first[0], tksk),
        (second[0], tksk),
    ]
    assert Worker.get_by_id(other).kecamatan_code == "36.71.01"


def test_no_one_to_take_a_case_rolls_everything_back(admin: Actor) -> None:
    leaver = psm(admin, "Budi Santoso", PORIS)
    numbers = give_cases(admin, leaver, PORIS, 2)
    before = Assignment.select().count(), AuditLog.select().count()

    with pytest.raises(ConflictError, match="No other active PSM or TKSK can take case"):
        roster.deactivate_worker(admin, leaver, "Berhenti", auto=True)

    assert Worker.get_by_id(leaver).active
    assert open_held_by(leaver) == len(numbers)
    assert (Assignment.select().count(), AuditLog.select().count()) == before


def test_handover_refuses_bad_colleagues(admin: Actor, team: dict[str, int]) -> None:
    give_cases(admin, team["leaver"], PORIS, 1)
    roster.deactivate_worker(admin, team["citra"], "Berhenti")
    with pytest.raises(ConflictError, match="Citra Dewi is inactive"):
        roster.deactivate_worker(admin, team["leaver"], "Berhenti", to=[team["citra"]])
    with pytest.raises(ValidationError, match="cannot hand cases over to themself"):
        roster.move_worker(admin, team["leaver"], "Kenanga", to=[team["leaver"]])
    assert open_held_by(team["leaver"]) == 1


def test_moves_and_departures_need_admin(admin: Actor, team: dict[str, int]) -> None:
    supervisor = make_user(admin, "kabid", "supervisor")
    with pytest.raises(PermissionDenied):
        roster.move_worker(supervisor, team["ani"], "Kenanga", auto=True)
    with pytest.raises(PermissionDenied):
        roster.deactivate_worker(supervisor, team["ani"], "Berhenti", auto=True)
    assert Worker.get_by_id(team["ani"]).kelurahan_code == "36.71.05.1008"


def test_move_refuses_same_kelurahan_and_tksk(admin: Actor, team: dict[str, int]) -> None:
    with pytest.raises(ConflictError, match=r"already serves Kel\. Poris Plawad"):
        roster.move_worker(admin, team["ani"], PORIS, auto=True)
    with pytest.raises(ConflictError, match="Only a PSM"):
        roster.move_worker(admin, team["tksk"], "Kenanga", auto=True)


def test_move_ends_local_ipsm_terms_and_keeps_city_ones(admin: Actor, team: dict[str, int]) -> None:
    ani = team["ani"]
    local = ipsm.set_position(
        admin, ani, position="ketua", level="kelurahan", start_on="2024-01-01"
    )
    kec = ipsm.set_position(
        admin, ani, position="anggota", level="kecamatan", start_on="2024-01-01"
    )
    city = ipsm.set_position(admin, ani, position="anggota", level="city", start_on="2024-01-01")

    change = roster.move_worker(admin, ani, "Kenanga", auto=True)

    assert change.positions_ended == 1
    ends = {p.id: p.end_on for p in IpsmPosition.select()}
    assert ends == {local.id: dt.date.today(), kec.id: None, city.id: None}
    roster.deactivate_worker(admin, ani, "Berhenti")
    assert all(p.end_on == dt.date.today() for p in IpsmPosition.select())


def make_activity(case_number: str, worker_id: int, kind: str, at: dt.datetime) -> None:
    case = Case.get(Case.number == case_number)
    Activity.create(case=case.id, kind=kind, data="x", at=at, worker=worker_id)


def test_active_months_count_fieldwork_only(admin: Actor, team: dict[str, int]) -> None:
    ani = team["ani"]
    number = give_cases(admin, ani, PORIS, 1)[0]  # its penugasan activity is today: not counted
    Activity.delete().where(Activity.worker == ani).execute()
    case_id = Case.get(Case.number == number).id
    Assignment.update(assigned_at=dt.datetime(2024, 12, 1)).where(
        Assignment.case == case_id
    ).execute()
    make_activity(number, ani, "kunjungan", dt.datetime(2025, 1, 5, 9))
    make_activity(number, ani, "telepon", dt.datetime(2025, 1, 31, 23, 59))
    make_activity(number, ani, "penugasan", dt.datetime(2025, 2, 10))
    make_activity(number, ani, "status", dt.datetime(2025, 2, 11))
    make_activity(number, ani, "catatan", dt.datetime(2025, 3, 1))
    make_activity(number, team["citra"], "kunjungan", dt.datetime(2025, 4, 1))  # never held it

    assert roster.active_months(ani) == [dt.date(2025, 1, 1), dt.date(2025, 3, 1)]
    assert roster.active_months(ani, since=dt.date(2025, 2, 15)) == [dt.date(2025, 3, 1)]
    assert roster.active_months(ani, until=dt.date(2025, 1, 31)) == [dt.date(2025, 1, 1)]
    assert roster.active_months_by_worker() == {ani: [dt.date(2025, 1, 1), dt.date(2025, 3, 1)]}
    assert roster.last_activity(ani) == dt.datetime(2025, 3, 1)


def test_profile_shows_caseload_training_and_ipsm(admin: Actor, team: dict[str, int]) -> None:
    ani = team["ani"]
    open_numbers = give_cases(admin, ani, PORIS, 2)
    done = give_cases(admin, ani, PORIS, 1)[0]
    cases.change_status(admin, done, "ditangani")
    cases.change_status(admin, done, "selesai", outcome="Selesai")
    cases.add_note(admin, open_numbers[0], "Kunjungan pertama", kind="kunjungan")
    training.record_training(
        admin,
        held_on="2025-05-01",
        topic="Pendampingan lansia",
        organiser="Dinsos",
        hours=6,
        worker_ids=[ani],
    )
    ipsm.set_position(admin, ani, position="sekretaris", level="kecamatan", start_on="2025-01-01")

    data = roster.profile(admin, ani)

    assert sorted(c.number for c in data.open_cases) == sorted(open_numbers)
    assert (data.past_case_count, [p.number for p in data.past_cases]) == (1, [done])
    assert data.last_activity is not None and data.last_activity.date() == dt.date.today()
    assert data.active_months == [dt.date.today().replace(day=1)]
    assert [t.topic for t in data.trainings] == ["Pendampingan lansia"]
    assert [(p.position, p.unit_name) for p in data.positions] == [("sekretaris", "Kec. Cipondoh")]
