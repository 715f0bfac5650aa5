"""Every write leaves an audit row in the same transaction, with field-level before/after."""

from __future__ import annotations

import datetime as dt

import pytest

from psm_tui.core import assignment, audit, cases, clock, followups, users, workers
from psm_tui.core.audit import AuditEntry
from psm_tui.core.dto import Actor
from psm_tui.store.models import Activity, Case, Worker

NIK = "3671055501800001"


def last(action: str) -> AuditEntry:
    rows = [e for e in audit.entries() if e.action == action]
    assert rows, f"no audit row for {action}"
    return rows[-1]


@pytest.fixture
def number(admin: Actor) -> str:
    return cases.register_case(
        admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8, nik=NIK, priority="tinggi"
    ).case.number


def test_register_audits_client_and_case(admin: Actor, number: str) -> None:
    client = last("client.create")
    assert (client.username, client.entity) == ("tester", "client")
    assert client.changes == {
        "name": [None, "Ibu Sari"],
        "nik": [None, "************0001"],  # never the full NIK
        "kelurahan": [None, "36.71.05.1008"],
    }
    case = last("case.create")
    assert (case.entity, case.case_number) == ("case", number)
    assert case.changes["number"] == [None, number]
    assert case.changes["status"] == [None, "baru"]
    assert case.changes["priority"] == [None, "tinggi"]
    assert case.changes["category"] == [None, 8]


def test_case_writes_record_before_and_after(
    admin: Actor, number: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker = workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="Poris Plawad")
    assignment.assign_case(admin, number, auto=True)
    assert last("case.assign").changes == {
        "worker": [None, worker.id],
        "status": ["baru", "ditugaskan"],
    }
    assert last("case.assign").case_number == number
    cases.set_priority(admin, number, "darurat")
    assert last("case.priority").changes == {"priority": ["tinggi", "darurat"]}
    cases.set_category(admin, number, 24)
    assert last("case.category").changes == {"category": [8, 24]}
    cases.add_note(admin, number, "Kunjungan [b]pertama[/b]", "kunjungan")
    assert last("case.note").changes == {
        "kind": [None, "kunjungan"],
        "text": [None, "Kunjungan [b]pertama[/b]"],
    }
    cases.change_status(admin, number, "ditangani")
    assert last("case.status").changes == {"status": ["ditugaskan", "ditangani"]}
    moment = dt.datetime(2026, 5, 4, 11, 30)
    monkeypatch.setattr(clock, "now", lambda: moment)
    cases.change_status(admin, number, "selesai", outcome="Dapat PBI")
    row = last("case.status")
    assert row.changes == {
        "status": ["ditangani", "selesai"],
        "outcome": [None, "Dapat PBI"],
        "closed_at": [None, "2026-05-04T11:30:00"],
    }
    assert row.at == moment


def test_a_write_whose_audit_row_fails_is_rolled_back(
    admin: Actor, number: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        cases.set_priority(admin, number, "darurat")
    with pytest.raises(RuntimeError):
        cases.add_note(admin, number, "x")
    with pytest.raises(RuntimeError):
        workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="Kreo")
    case = Case.get(Case.number == number)
    assert (case.priority, case.version) == ("tinggi", 1)
    assert Activity.select().where(Activity.kind == "catatan").count() == 0
    assert Worker.select().count() == 0


def test_followup_writes(admin: Actor, number: str) -> None:
    workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="Poris Plawad")
    assignment.assign_case(admin, number, auto=True)
    info = followups.create_followup(admin, number, opd="DINKES", action="PBI", due="2099-01-31")
    created = last("followup.create")
    assert (created.entity, created.entity_id, created.case_number) == (
        "followup",
        str(info.id),
        number,
    )
    assert created.changes == {
        "opd": [None, "DINKES"],
        "action": [None, "PBI"],
        "due_on": [None, "2099-01-31"],
        "status": [None, "dikirim"],
    }
    followups.update_followup(admin, info.id, "ditolak", response="Kuota habis")
    changes = last("followup.update").changes
    assert changes["status"] == ["dikirim", "ditolak"]
    assert changes["reason"] == [None, "Kuota habis"]
    assert changes["responded_at"][0] is None


def test_worker_and_user_writes(admin: Actor) -> None:
    info = workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="Kreo")
    added = last("worker.add")
    assert (added.entity, added.entity_id) == ("worker", str(info.id))
    assert added.changes == {
        "kind": [None, "psm"],
        "name": [None, "Siti Aminah"],
        "kelurahan": [None, "36.71.13.1004"],
        "kecamatan": [None, "36.71.13"],
    }
    workers.edit_worker(admin, info.id, name="Siti Aminah Lubis", phone="081234567890")
    assert last("worker.edit").changes == {
        "name": ["Siti Aminah", "Siti Aminah Lubis"],
        "phone": [None, "081234567890"],
    }
    workers.deactivate_worker(admin, info.id, "pindah")
    assert last("worker.deactivate").changes == {
        "active": [True, False],
        "inactive_reason": [None, "pindah"],
    }
    user = users.add_user(admin, "siti", "operator", kecamatan="Larangan")
    added_user = last("user.add")
    assert (added_user.username, added_user.entity_id) == ("tester", str(user.id))
    assert added_user.changes == {
        "username": [None, "siti"],
        "role": [None, "operator"],
        "kecamatan": [None, "36.71.13"],
    }


def test_the_first_admin_is_audited_as_their_own_bootstrap(admin: Actor) -> None:
    row = audit.entries(entity="user")[0]
    assert (row.username, row.action, row.changes["role"]) == (
        "tester",
        "user.add",
        [None, "admin"],
    )


def test_entries_filters(admin: Actor, number: str) -> None:
    other = cases.register_case(admin, name="Pak Budi", kelurahan="Kreo", category=24).case.number
    assert {e.case_number for e in audit.entries(case_number=other)} == {other}
    assert [e.action for e in audit.entries(case_number=number)] == ["case.create"]
    assert audit.entries(username="nobody") == []
    assert len(audit.entries(since=clock.today() + dt.timedelta(days=1))) == 0
    assert len(audit.entries(limit=2)) == 2


def test_diff_keeps_only_changed_fields() -> None:
    before = {"a": 1, "b": dt.date(2026, 1, 2), "c": "x"}
    after = {"a": 1, "b": dt.date(2026, 1, 3), "c": None}
    assert audit.diff(before, after) == {"b": ["2026-01-02", "2026-01-03"], "c": ["x", None]}
