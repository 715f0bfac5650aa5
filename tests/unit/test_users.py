"""Staff users, identity and roles: permissions are checked in the services, refusals audited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from psm_tui.core import assignment, audit, case_queries, cases, followups, users, workers
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ConflictError, PermissionDenied, ValidationError
from psm_tui.store.models import AuditLog, Case, FollowUp, StaffUser, Worker
from tests.conftest import make_user

NIK = "3671055501800001"  # a woman born 15 Jan 1980, registered in Kec. Cipondoh


@pytest.fixture
def case_number(admin: Actor) -> str:
    """A case in Kel. Poris Plawad (Kec. Cipondoh), assigned to a local PSM."""
    workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="Poris Plawad")
    number = cases.register_case(
        admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8, nik=NIK
    ).case.number
    assignment.assign_case(admin, number, auto=True)
    return number


def test_first_admin_is_the_os_user(admin: Actor) -> None:
    assert (admin.username, admin.role, admin.full_name) == ("tester", "admin", "Test Admin")


def test_resolve_actor_uses_the_os_user(admin: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    assert users.resolve_actor(None, "") == admin
    monkeypatch.setattr(users, "os_username", lambda: "stranger")
    with pytest.raises(
        PermissionDenied, match=r"stranger is not registered.*psm user add stranger"
    ):
        users.resolve_actor(None, "")


def test_as_is_only_for_the_service_account(admin: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(admin, "siti", "operator")
    with pytest.raises(PermissionDenied, match="only allowed for the service account"):
        users.resolve_actor("siti", "")
    with pytest.raises(PermissionDenied, match="only allowed for the service account"):
        users.resolve_actor("siti", "psm")
    monkeypatch.setattr(users, "os_username", lambda: "psm")
    assert users.resolve_actor("siti", "psm").username == "siti"
    with pytest.raises(PermissionDenied, match="nobody is not registered"):
        users.resolve_actor("nobody", "psm")


def test_inactive_user_is_refused(admin: Actor) -> None:
    make_user(admin, "old", "operator")
    StaffUser.update(active=False).where(StaffUser.username == "old").execute()
    with pytest.raises(PermissionDenied):
        users.resolve_actor("old", "tester")


def test_add_user_rules(admin: Actor) -> None:
    info = users.add_user(admin, "siti", "operator", full_name="Siti", kecamatan="Cipondoh")
    assert (info.role, info.kecamatan_code, info.active) == ("operator", "36.71.05", True)
    with pytest.raises(ConflictError, match="already exists"):
        users.add_user(admin, "siti", "viewer")
    with pytest.raises(ValidationError, match="Unknown role"):
        users.add_user(admin, "budi", "boss")
    with pytest.raises(ValidationError, match=r"User name budi santoso is not allowed: it cont"):
        users.add_user(admin, "budi santoso", "viewer")
    assert [u.username for u in users.list_users()] == ["siti", "tester"]


@pytest.mark.parametrize("role", ["viewer", "operator", "supervisor"])
def test_only_an_admin_manages_users_and_workers(admin: Actor, role: str) -> None:
    actor = make_user(admin, "someone", role)
    with pytest.raises(PermissionDenied, match="needs the admin role"):
        users.add_user(actor, "other", "viewer")
    with pytest.raises(PermissionDenied, match="needs the admin role"):
        workers.add_worker(actor, kind="psm", name="Budi Santoso", kelurahan="Poris Plawad")
    assert StaffUser.select().count() == 2
    assert Worker.select().count() == 0


def _writes(number: str) -> dict[str, Callable[[Actor], object]]:
    return {
        "register": lambda a: cases.register_case(
            a, name="Pak Budi", kelurahan="Poris Plawad", category=24
        ),
        "status": lambda a: cases.change_status(a, number, "ditangani"),
        "priority": lambda a: cases.set_priority(a, number, "darurat"),
        "category": lambda a: cases.set_category(a, number, 9),
        "note": lambda a: cases.add_note(a, number, "dikunjungi"),
        "assign": lambda a: assignment.assign_case(a, number, auto=True),
        "followup": lambda a: followups.create_followup(a, number, opd="DINKES", action="PBI"),
    }


@pytest.mark.parametrize(
    "write", ["register", "status", "priority", "category", "note", "assign", "followup"]
)
def test_viewer_cannot_write_and_the_refusal_is_audited(
    admin: Actor, case_number: str, write: str
) -> None:
    viewer = make_user(admin, "vera", "viewer")
    before = Case.get(Case.number == case_number)
    with pytest.raises(PermissionDenied, match="needs the operator role"):
        _writes(case_number)[write](viewer)
    after = Case.get(Case.number == case_number)
    assert (after.version, after.status, after.priority) == (before.version, "ditugaskan", "normal")
    assert Case.select().count() == 1
    assert FollowUp.select().count() == 0
    rows = audit.entries(username="vera")
    assert [(r.action, r.entity) for r in rows] == [("refused", "permission")]


def test_scoped_operator_cannot_touch_another_kecamatan(admin: Actor, case_number: str) -> None:
    karawaci = make_user(admin, "op_karawaci", "operator", kecamatan="Karawaci")
    for write in _writes(case_number).values():
        with pytest.raises(PermissionDenied, match=r"Your scope is Kec. Karawaci"):
            write(karawaci)
    assert Case.select().count() == 1
    assert Case.get(Case.number == case_number).version == 2
    refused = [r.action for r in audit.entries(username="op_karawaci")]
    assert refused == ["refused"] * len(_writes(case_number))


def test_scoped_operator_works_in_their_own_kecamatan(admin: Actor, case_number: str) -> None:
    cipondoh = make_user(admin, "op_cipondoh", "operator", kecamatan="Cipondoh")
    cases.add_note(cipondoh, case_number, "dikunjungi", "kunjungan")
    assert cases.change_status(cipondoh, case_number, "ditangani").summary.status == "ditangani"


def test_operator_cannot_close_or_reopen(admin: Actor, case_number: str) -> None:
    operator = make_user(admin, "op", "operator")
    with pytest.raises(PermissionDenied, match="needs the supervisor role"):
        cases.change_status(operator, case_number, "ditutup", reason="duplikat")
    cases.change_status(operator, case_number, "ditangani")
    cases.change_status(operator, case_number, "selesai", outcome="beres")
    with pytest.raises(PermissionDenied, match="needs the supervisor role"):
        cases.change_status(operator, case_number, "ditangani", reason="kambuh")
    assert Case.get(Case.number == case_number).status == "selesai"
    refused = AuditLog.select().where(AuditLog.action == "refused").order_by(AuditLog.id)
    assert [r.entity_id for r in refused] == ["case.close", "case.reopen"]


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("viewer", "************0001"),
        ("operator", "************0001"),
        ("supervisor", NIK),
        ("admin", NIK),
    ],
)
def test_nik_is_masked_below_supervisor(
    admin: Actor, case_number: str, role: str, shown: str
) -> None:
    actor = admin if role == "admin" else make_user(admin, "someone", role)
    detail = case_queries.case_detail(actor, case_number)
    assert detail.client.nik == shown
    assert case_queries.list_cases(actor)[0].client_nik == shown


def test_mask_nik_without_actor_masks() -> None:
    assert case_queries.mask_nik(NIK, None) == "************0001"
    assert case_queries.mask_nik(None, None) is None


def test_initialised_fixture_is_isolated(initialised: Path) -> None:
    assert StaffUser.select().count() == 1
