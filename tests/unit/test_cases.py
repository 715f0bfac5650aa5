"""Cases: registration, the status life cycle, triage, notes, optimistic locking, numbering."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from psm_tui.core import assignment, case_queries, cases, clock, workers
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ConflictError, StaleVersionError, ValidationError
from psm_tui.core.labels import STATUSES
from psm_tui.store.database import db
from psm_tui.store.models import Activity, AuditLog, Case, Client
from tests.conftest import make_user

NIK = "3671055501800001"  # woman, born 15 Jan 1980
KK = "3671051203150007"


@pytest.fixture
def supervisor(admin: Actor) -> Actor:
    workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="Poris Plawad")
    return make_user(admin, "kabid", "supervisor")


def register(actor: Actor, **values: object) -> str:
    values = {"name": "Ibu Sari", "kelurahan": "Poris Plawad", "category": 8, **values}
    return cases.register_case(actor, **values).case.number  # type: ignore[arg-type]


def case_in(actor: Actor, status: str) -> str:
    """A new case brought to ``status`` along the ordinary path."""
    number = register(actor)
    if status == "baru":
        return number
    assignment.assign_case(actor, number, auto=True)
    path = {"ditangani": 1, "selesai": 2, "ditutup": 3}.get(status, 0)
    steps = [("ditangani", {}), ("selesai", {"outcome": "beres"}), ("ditutup", {})][:path]
    for target, extra in steps:
        cases.change_status(actor, number, target, **extra)
    assert Case.get(Case.number == number).status == status
    return number


def test_the_transition_table_is_the_documented_life_cycle() -> None:
    assert {k: set(v) for k, v in cases.TRANSITIONS.items()} == {
        "baru": {"ditutup"},
        "ditugaskan": {"ditangani", "ditutup"},
        "ditangani": {"selesai", "ditutup"},
        "selesai": {"ditutup", "ditangani"},
        "ditutup": {"ditangani"},
    }


@pytest.mark.parametrize("old", STATUSES)
@pytest.mark.parametrize("new", STATUSES)
def test_every_transition_is_allowed_or_refused(supervisor: Actor, old: str, new: str) -> None:
    number = case_in(supervisor, old)
    version = Case.get(Case.number == number).version
    extra = {"outcome": "Klien sudah dibantu", "reason": "alasan"}
    if new in cases.TRANSITIONS[old]:
        detail = cases.change_status(supervisor, number, new, **extra)
        expected = "baru" if new == "ditangani" and old == "baru" else new
        assert detail.summary.status == expected
        assert detail.version == version + 1
    else:
        with pytest.raises(ConflictError, match=f"cannot go from {old} to {new}"):
            cases.change_status(supervisor, number, new, **extra)
        assert Case.get(Case.number == number).status == old
        assert Case.get(Case.number == number).version == version


def test_selesai_needs_an_outcome(supervisor: Actor) -> None:
    number = case_in(supervisor, "ditangani")
    audit_rows = AuditLog.select().count()
    with pytest.raises(ValidationError, match="Outcome must not be empty"):
        cases.change_status(supervisor, number, "selesai", outcome="  ")
    assert Case.get(Case.number == number).status == "ditangani"
    assert AuditLog.select().count() == audit_rows
    detail = cases.change_status(supervisor, number, "selesai", outcome="Dapat PBI-JK")
    assert (detail.outcome, detail.summary.status) == ("Dapat PBI-JK", "selesai")
    assert detail.closed_at is not None
    assert detail.activities[-1].text == "resolved: Dapat PBI-JK"


def test_closing_before_resolution_needs_a_reason(supervisor: Actor) -> None:
    number = case_in(supervisor, "ditangani")
    with pytest.raises(ValidationError, match="Reason must not be empty"):
        cases.change_status(supervisor, number, "ditutup")
    detail = cases.change_status(supervisor, number, "ditutup", reason="klien pindah")
    assert detail.summary.status == "ditutup"
    assert detail.activities[-1].text == "closed: klien pindah"


def test_closing_a_resolved_case_needs_no_reason(supervisor: Actor) -> None:
    number = case_in(supervisor, "selesai")
    assert cases.change_status(supervisor, number, "ditutup").summary.status == "ditutup"


@pytest.mark.parametrize("closed", ["selesai", "ditutup"])
def test_reopening_needs_a_reason_and_goes_back_to_ditangani(
    supervisor: Actor, closed: str
) -> None:
    number = case_in(supervisor, closed)
    with pytest.raises(ValidationError, match="Reason must not be empty"):
        cases.change_status(supervisor, number, "ditangani")
    assert Case.get(Case.number == number).status == closed
    detail = cases.change_status(supervisor, number, "ditangani", reason="kondisi memburuk")
    assert detail.summary.status == "ditangani"
    assert detail.closed_at is None
    assert detail.activities[-1].text == "reopened: kondisi memburuk"
    row = AuditLog.select().order_by(AuditLog.id.desc()).get()
    assert (row.action, row.detail) == ("case.status", "kondisi memburuk")


def test_reopening_a_case_whose_psm_left_returns_it_to_triage(
    admin: Actor, supervisor: Actor
) -> None:
    number = case_in(supervisor, "selesai")
    holder = Case.get(Case.number == number).worker_id
    workers.deactivate_worker(admin, holder, "pindah domisili")
    detail = cases.change_status(supervisor, number, "ditangani", reason="kambuh")
    assert (detail.summary.status, detail.summary.worker) == ("baru", None)
    assert all(a.ended_at is not None for a in detail.assignments)


def test_reopening_a_never_assigned_case_makes_it_new_again(supervisor: Actor) -> None:
    number = register(supervisor)
    cases.change_status(supervisor, number, "ditutup", reason="laporan ganda")
    detail = cases.change_status(supervisor, number, "ditangani", reason="ternyata bukan ganda")
    assert detail.summary.status == "baru"


def test_operator_moves_a_case_but_cannot_close(admin: Actor, supervisor: Actor) -> None:
    operator = make_user(admin, "op", "operator")
    number = case_in(operator, "ditangani")
    cases.change_status(operator, number, "selesai", outcome="beres")
    with pytest.raises(Exception, match="needs the supervisor role"):
        cases.change_status(operator, number, "ditutup")
    assert cases.change_status(supervisor, number, "ditutup").summary.status == "ditutup"


def test_register_creates_the_client_and_the_first_timeline_entry(admin: Actor) -> None:
    result = cases.register_case(
        admin,
        name="  Ibu   Sari ",
        kelurahan="36.71.05.1008",
        category="Lanjut Usia Terlantar",
        nik=NIK,
        kk=KK,
        sex="P",
        birth_date="1980-01-15",
        address="Jl. Melati 3",
        rt="2",
        rw=5,
        phone="+62 812-3456-7890",
        priority="tinggi",
        source="laporan warga",
        description="x",
    )
    detail = result.case
    assert result.client_created and result.duplicates == []
    assert (detail.summary.status, detail.summary.priority, detail.source) == (
        "baru",
        "tinggi",
        "laporan_warga",
    )
    assert detail.summary.kelurahan.label == "Kel. Poris Plawad, Kec. Cipondoh"
    assert detail.summary.category.code == "8"
    client = Client.get()
    assert (client.name, client.nik, client.kk, client.rt, client.rw, client.phone) == (
        "Ibu Sari",
        NIK,
        KK,
        "002",
        "005",
        "081234567890",
    )
    assert [a.kind for a in detail.activities] == ["status"]
    assert detail.version == 1 and detail.created_by == "tester"


def test_same_nik_reuses_the_client_and_warns(admin: Actor) -> None:
    first = cases.register_case(
        admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8, nik=NIK
    )
    second = cases.register_case(admin, name="Sari", kelurahan="Poris Plawad", category=24, nik=NIK)
    assert not second.client_created
    assert second.case.client.id == first.case.client.id
    assert [d.reason for d in second.duplicates] == ["same NIK"]
    assert Client.select().count() == 1


def test_possible_duplicates_by_kk_and_similar_name(admin: Actor) -> None:
    register(admin, name="Siti Aminah", kk=KK)
    register(admin, name="Budi Santoso", kelurahan="Karawaci")
    by_kk = cases.register_case(admin, name="Ahmad Fauzi", kelurahan="Karawaci", category=24, kk=KK)
    assert [(d.name, d.reason) for d in by_kk.duplicates] == [("Siti Aminah", "same No. KK")]
    similar = cases.register_case(admin, name="Siti Amina", kelurahan="Poris Plawad", category=8)
    assert [(d.name, d.reason) for d in similar.duplicates] == [
        ("Siti Aminah", "similar name in the same kelurahan")
    ]
    elsewhere = cases.register_case(admin, name="Siti Aminah", kelurahan="Karawaci", category=8)
    assert elsewhere.duplicates == []


def test_invalid_registration_writes_nothing(admin: Actor) -> None:
    audit_rows = AuditLog.select().count()
    bad = [
        {"nik": "367105550180001"},
        {"nik": NIK, "sex": "L"},
        {"kelurahan": "Poris Plawat"},
        {"category": "bukan kategori"},
        {"priority": "segera"},
        {"source": "telepati"},
        {"phone": "12"},
        {"name": "?"},
    ]
    for values in bad:
        with pytest.raises(Exception) as e:
            register(admin, **values)
        assert e.type.__name__ in ("ValidationError", "NotFoundError"), values
    assert Case.select().count() == Client.select().count() == 0
    assert AuditLog.select().count() == audit_rows


def test_priority_and_category_are_triage(admin: Actor) -> None:
    number = register(admin)
    detail = cases.set_priority(admin, number, "darurat")
    assert (detail.summary.priority, detail.version) == ("darurat", 2)
    detail = cases.set_category(admin, number, "lansia")  # a legacy name
    assert (detail.summary.category.code, detail.version) == ("8", 3)
    detail = cases.set_category(admin, number, "fakir miskin")
    assert detail.summary.category.name == "Fakir Miskin"
    assert [a.kind for a in detail.activities][-3:] == ["triase"] * 3
    with pytest.raises(ValidationError, match="not a valid priority"):
        cases.set_priority(admin, number, "urgent")


def test_a_note_joins_the_timeline_without_a_new_version(admin: Actor) -> None:
    number = register(admin)
    detail = cases.add_note(admin, number, "Telepon keluarga [b]x[/b]", "telepon")
    assert detail.version == 1
    assert (detail.activities[-1].kind, detail.activities[-1].text) == (
        "telepon",
        "Telepon keluarga [b]x[/b]",
    )
    with pytest.raises(ValidationError, match="Text must not be empty"):
        cases.add_note(admin, number, "   ")
    with pytest.raises(ValidationError, match="not a valid kind"):
        cases.add_note(admin, number, "x", "surat")


def test_stale_version_is_refused_with_who_changed_it(admin: Actor, supervisor: Actor) -> None:
    number = case_in(admin, "ditugaskan")
    seen_by_admin = case_queries.case_detail(admin, number).version
    seen_by_supervisor = case_queries.case_detail(supervisor, number).version
    assert seen_by_admin == seen_by_supervisor == 2
    cases.set_priority(supervisor, number, "tinggi", expected_version=seen_by_supervisor)
    audit_rows = AuditLog.select().count()
    with pytest.raises(StaleVersionError, match="changed by Kabid at") as e:
        cases.change_status(admin, number, "ditangani", expected_version=seen_by_admin)
    assert (e.value.changed_by, e.value.version) == ("Kabid", 3)
    case = Case.get(Case.number == number)
    assert (case.status, case.priority, case.version) == ("ditugaskan", "tinggi", 3)
    assert AuditLog.select().count() == audit_rows
    for write in (
        lambda: cases.set_priority(admin, number, "rendah", expected_version=2),
        lambda: cases.set_category(admin, number, 9, expected_version=2),
        lambda: assignment.assign_case(admin, number, auto=True, expected_version=2),
    ):
        with pytest.raises(StaleVersionError):
            write()
    assert Case.get(Case.number == number).version == 3
    assert cases.change_status(admin, number, "ditangani", expected_version=3).version == 4


def test_save_case_guards_the_version_in_the_update_itself(admin: Actor, supervisor: Actor) -> None:
    """A row read before someone else's commit cannot be written over."""
    number = register(admin)
    stale_row = Case.get(Case.number == number)
    cases.set_priority(supervisor, number, "darurat")
    with pytest.raises(StaleVersionError, match="changed by Kabid"), db.atomic():
        cases.save_case(admin, stale_row, None, {"priority": "rendah"}, "case.priority")
    assert Case.get(Case.number == number).priority == "darurat"


def test_case_numbers_are_sequential_per_year(
    admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def at(year: int) -> dt.datetime:
        return dt.datetime(year, 3, 1, 9, 0)

    numbers = [register(admin, reported_at=at(year)) for year in (2025, 2026, 2026, 2025)]
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2027, 1, 1, 0, 5))
    numbers.append(register(admin))
    assert numbers == ["2025-000001", "2026-000001", "2026-000002", "2025-000002", "2027-000001"]


def test_case_numbers_stay_unique_under_concurrent_writers(admin: Actor) -> None:
    numbers: list[str] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with db.connection_context():
                for _ in range(5):
                    numbers.append(register(admin))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    year = clock.now().year
    assert sorted(numbers) == [f"{year}-{n:06d}" for n in range(1, 21)]
    assert Activity.select().where(Activity.kind == "status").count() == 20
