"""PSM and TKSK: adding, editing, deactivating; the open caseload is derived from the cases."""

from __future__ import annotations

import datetime as dt

import pytest

from psm_tui.core import assignment, cases, workers
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ConflictError, NotFoundError, ValidationError
from psm_tui.core.workers import WorkerFilter
from psm_tui.store.models import AuditLog, Worker

NIK = "3671051501800001"
OTHER_NIK = "3671054202850003"


def test_add_a_psm_and_a_tksk(admin: Actor) -> None:
    info = workers.add_worker(
        admin,
        kind="PSM",
        name=" Siti  Aminah ",
        kelurahan="jatiuwung",
        nik=NIK,
        phone="+62 812 1111 2222",
        joined_on="2019-07-01",
    )
    assert (info.kind, info.name, info.kelurahan_name, info.kecamatan_name) == (
        "psm",
        "Siti Aminah",
        "Jatiuwung",
        "Cibodas",
    )
    assert (info.nik, info.phone, info.joined_on, info.active, info.open_cases) == (
        NIK,
        "081211112222",
        dt.date(2019, 7, 1),
        True,
        0,
    )
    tksk = workers.add_worker(admin, kind="tksk", name="Tono Sutono", kecamatan="36.71.09")
    assert (tksk.kelurahan_code, tksk.kecamatan_code) == (None, "36.71.09")


def test_add_refusals(admin: Actor) -> None:
    workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="Kreo", nik=NIK)
    workers.add_worker(admin, kind="tksk", name="Tono Sutono", kecamatan="Larangan")
    refusals = [
        (ValidationError, "psm or tksk", {"kind": "pkh", "kelurahan": "Kreo"}),
        (ValidationError, "A PSM needs a kelurahan", {"kind": "psm"}),
        (ValidationError, "A TKSK needs a kecamatan", {"kind": "tksk"}),
        (NotFoundError, "Unknown kelurahan", {"kind": "psm", "kelurahan": "Atlantis"}),
        (
            NotFoundError,
            "is not in Kec. Pinang",
            {"kind": "psm", "kelurahan": "Kreo", "kecamatan": "Pinang"},
        ),
        (ConflictError, "already exists", {"kind": "psm", "kelurahan": "Kreo", "nik": NIK}),
        (ConflictError, "already has an active TKSK", {"kind": "tksk", "kecamatan": "Larangan"}),
        (ValidationError, "16 digits", {"kind": "psm", "kelurahan": "Kreo", "nik": "123"}),
        (ValidationError, "Phone number", {"kind": "psm", "kelurahan": "Kreo", "phone": "12"}),
    ]
    for error, message, values in refusals:
        with pytest.raises(error, match=message):
            workers.add_worker(admin, name="Budi Santoso", **values)  # type: ignore[arg-type]
    assert Worker.select().count() == 2


def test_edit_corrects_name_phone_and_nik(admin: Actor) -> None:
    info = workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="Kreo")
    edited = workers.edit_worker(
        admin, info.id, name="Siti Aminah Lubis", phone="0812-3333-4444", nik=NIK
    )
    assert (edited.name, edited.phone, edited.nik) == ("Siti Aminah Lubis", "081233334444", NIK)
    with pytest.raises(NotFoundError):
        workers.edit_worker(admin, 999, name="X Y")


def test_edit_refuses_a_nik_held_by_another_worker(admin: Actor) -> None:
    workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="Kreo", nik=NIK)
    other = workers.add_worker(admin, kind="psm", name="Rina Wati", kelurahan="Kreo", nik=OTHER_NIK)
    with pytest.raises(ConflictError, match="already exists"):
        workers.edit_worker(admin, other.id, nik=NIK)
    assert workers.get_worker(other.id).nik == OTHER_NIK
    assert workers.edit_worker(admin, other.id, nik=OTHER_NIK).nik == OTHER_NIK


def test_deactivation_is_refused_while_cases_are_open(admin: Actor) -> None:
    info = workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="Kreo")
    numbers = [
        cases.register_case(admin, name="Ibu Sari", kelurahan="Kreo", category=8).case.number
        for _ in range(3)
    ]
    for number in numbers:
        assignment.assign_case(admin, number, auto=True)
    cases.change_status(admin, numbers[0], "ditangani")
    cases.change_status(admin, numbers[0], "selesai", outcome="beres")
    assert workers.open_caseload(info.id) == workers.get_worker(info.id).open_cases == 2
    rows = AuditLog.select().count()
    with pytest.raises(ConflictError, match="Siti Aminah still holds 2 open cases"):
        workers.deactivate_worker(admin, info.id, "pindah")
    assert workers.get_worker(info.id).active
    assert AuditLog.select().count() == rows
    for number in numbers[1:]:
        cases.change_status(admin, number, "ditutup", reason="ganda")
    with pytest.raises(ValidationError, match="reason"):
        workers.deactivate_worker(admin, info.id, " ")
    done = workers.deactivate_worker(admin, info.id, "pindah domisili")
    assert (done.active, done.inactive_reason) == (False, "pindah domisili")
    assert Worker.get_by_id(info.id).inactive_on is not None
    with pytest.raises(ConflictError, match="already inactive"):
        workers.deactivate_worker(admin, info.id, "lagi")


def test_an_inactive_tksk_makes_room_for_a_new_one(admin: Actor) -> None:
    old = workers.add_worker(admin, kind="tksk", name="Tono Sutono", kecamatan="Larangan")
    workers.deactivate_worker(admin, old.id, "purna tugas")
    assert workers.add_worker(admin, kind="tksk", name="Tini Sutini", kecamatan="Larangan").active


def test_list_filters(admin: Actor) -> None:
    a = workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="Kreo")
    b = workers.add_worker(admin, kind="psm", name="Budi Santoso", kelurahan="Cipadu")
    t = workers.add_worker(admin, kind="tksk", name="Tono Sutono", kecamatan="Larangan")
    c = workers.add_worker(admin, kind="psm", name="Citra Lestari", kelurahan="Poris Plawad")
    workers.deactivate_worker(admin, c.id, "pindah")

    def ids(**values: object) -> set[int]:
        return {w.id for w in workers.list_workers(WorkerFilter(**values))}  # type: ignore[arg-type]

    assert ids() == {a.id, b.id, t.id}
    assert ids(active=None) == {a.id, b.id, t.id, c.id}
    assert ids(active=False) == {c.id}
    assert ids(kind="tksk") == {t.id}
    assert ids(kecamatan="Larangan") == {a.id, b.id, t.id}
    assert ids(kelurahan="Kreo") == {a.id}
    assert ids(search="santo") == {b.id}
