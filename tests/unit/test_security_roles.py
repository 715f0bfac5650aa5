"""The role matrix: every service action x every role, allowed or refused, kecamatan scope included.

viewer reads only; operator registers, triages, assigns, notes and follows up (within their
kecamatan if scoped); supervisor also closes, reopens, reassigns across kecamatan, reads the audit
trail, takes backups and runs ``psm check`` (a cut report); admin also manages users, workers and
SSH keys (listing them too), restores, and runs ``init``/``migrate`` once a first admin exists.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from psm_tui.core import (
    assignment,
    case_queries,
    cases,
    dashboard,
    emergency,
    followups,
    privacy,
    reports,
    setup,
    users,
    workers,
)
from psm_tui.core.dto import Actor
from psm_tui.core.errors import PermissionDenied
from psm_tui.ops import health, maintenance, ssh_keys
from psm_tui.presentation import exports
from psm_tui.store import database
from psm_tui.store.models import Activity, AuditLog, Case, FollowUp, StaffUser, Worker
from tests.conftest import make_user
from tests.files import export as export_to

# name -> (role, kecamatan scope). The case under test is in Kel. Poris Plawad, Kec. Cipondoh.
ROLES = {
    "viewer": ("viewer", None),
    "viewer_elsewhere": ("viewer", "Karawaci"),
    "operator": ("operator", "Cipondoh"),
    "operator_elsewhere": ("operator", "Karawaci"),
    "operator_unscoped": ("operator", None),
    "supervisor": ("supervisor", None),
    "admin": ("admin", None),
}
OPERATOR = {"operator", "operator_unscoped", "supervisor", "admin"}
SUPERVISOR = {"supervisor", "admin"}
ADMIN = {"admin"}
EVERYONE = set(ROLES)
ELSEWHERE = {"viewer_elsewhere", "operator_elsewhere"}  # scoped to Karawaci: the case is not theirs

ED25519 = (
    "ssh-ed25519 "
    + base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes(range(32))).decode()
)


@pytest.fixture(scope="module")
def matrix_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Users for every role and three workers, built once per module."""
    path = tmp_path_factory.mktemp("matrix") / "psm.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(users, "os_username", lambda: "tester")
        database.open_database(str(path))
        setup.initialise("Test Admin")
        admin = users.actor_for("tester")
        for name, (role, kecamatan) in ROLES.items():
            if name != "admin":
                make_user(admin, name, role, kecamatan)
        workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="Poris Plawad")
        workers.add_worker(admin, kind="psm", name="Dewi Lestari", kelurahan="Poris Plawad")
        workers.add_worker(admin, kind="psm", name="Rahmat Hidayat", kelurahan="Bojong Jaya")
        database.close_database()
    return path


@pytest.fixture
def world(matrix_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "psm.db"
    shutil.copy(matrix_template, path)
    database.open_database(str(path))
    return path


def _actor(name: str) -> Actor:
    return users.actor_for("tester" if name == "admin" else name)


def _worker(name: str) -> int:
    return Worker.get(Worker.name == name).id


def _case(admin: Actor, state: str) -> str:
    """A case in Kel. Poris Plawad brought (by an admin) to ``state``."""
    number = cases.register_case(
        admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8
    ).case.number
    if state == "baru":
        return number
    assignment.assign_case(admin, number, worker_id=_worker("Siti Aminah"))
    if state == "ditugaskan":
        return number
    cases.change_status(admin, number, "ditangani")
    if state == "ditangani":
        return number
    cases.change_status(admin, number, "selesai", outcome="Terdaftar PBI-JK")
    if state == "selesai":
        return number
    cases.change_status(admin, number, "ditutup")
    return number


Prepared = Callable[[Actor], Callable[[Actor], Callable[[], object]]]


def _on_case(
    state: str, act: Callable[[Actor, str], object], check: Callable[[str], object]
) -> Prepared:
    """Prepare a case in ``state``; the returned action acts on it; its result reads the effect."""

    def prepare(admin: Actor) -> Callable[[Actor], Callable[[], object]]:
        number = _case(admin, state)

        def run(actor: Actor) -> Callable[[], object]:
            act(actor, number)
            return lambda: check(number)

        return run

    return prepare


def _plain(act: Callable[[Actor], object], check: Callable[[], object]) -> Prepared:
    def prepare(admin: Actor) -> Callable[[Actor], Callable[[], object]]:
        def run(actor: Actor) -> Callable[[], object]:
            act(actor)
            return check

        return run

    return prepare


def _status(number: str) -> str:
    return Case.get(Case.number == number).status


def _followup_then_update(admin: Actor) -> Callable[[Actor], Callable[[], object]]:
    number = _case(admin, "ditugaskan")
    followup = followups.create_followup(admin, number, opd="DINKES", action="Daftarkan PBI-JK")

    def run(actor: Actor) -> Callable[[], object]:
        followups.update_followup(actor, followup.id, "diterima", response="diproses")
        return lambda: FollowUp.get_by_id(followup.id).status

    return run


def _backup(tmp: Path) -> Prepared:
    target = tmp / "backup.db"
    return _plain(lambda a: maintenance.backup_database(a, target), target.exists)


def _restore(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Prepared:
    def prepare(admin: Actor) -> Callable[[Actor], Callable[[], object]]:
        backup = tmp / "backup.db"
        maintenance.backup_database(admin, backup)

        def run(actor: Actor) -> Callable[[], object]:
            monkeypatch.setattr(users, "os_username", lambda: actor.username)
            who = maintenance.restoring_actor(None, "")
            maintenance.restore_database(who, backup)
            return lambda: AuditLog.select().where(AuditLog.action == "db.restore").count()

        return run

    return prepare


def _as_os_user(monkeypatch: pytest.MonkeyPatch, act: Callable[[], object]) -> Prepared:
    """A command that finds its user itself (the OS login): run as the actor's login."""

    def prepare(admin: Actor) -> Callable[[Actor], Callable[[], object]]:
        def run(actor: Actor) -> Callable[[], object]:
            monkeypatch.setattr(users, "os_username", lambda: actor.username)
            result = act()
            return lambda: result

        return run

    return prepare


def _init() -> object:
    setup.authorise_setup(None, "")
    return setup.initialise().counts["kecamatan"] == 13


def _migrate() -> object:
    setup.authorise_setup(None, "")
    return database.migrate() == [] and not database.pending_migrations()


def _check() -> object:
    report = health.check_for(health.checking_actor(None, ""))
    return {item.name for item in report.items} >= {"integrity", "schema", "file_modes"}


def _ssh_list(keys: Path) -> Prepared:
    def prepare(admin: Actor) -> Callable[[Actor], Callable[[], object]]:
        ssh_keys.authorize(admin, "viewer", ED25519, keys)

        def run(actor: Actor) -> Callable[[], object]:
            listed = ssh_keys.list_bindings(actor, keys)
            return lambda: [b.username for b in listed] == ["viewer"]

        return run

    return prepare


def _actions(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[Prepared, set[str]]]:
    """action -> (how to prepare and run it, which roles may)."""
    keys = tmp / "authorized_keys"
    key_file_lines = lambda: keys.read_text().count("--as")  # noqa: E731
    return {
        "case.create": (
            _plain(
                lambda a: cases.register_case(
                    a, name="Pak Budi", kelurahan="Poris Plawad", category=24
                ),
                lambda: Case.select().count(),
            ),
            OPERATOR,
        ),
        "case.priority": (
            _on_case(
                "baru",
                lambda a, n: cases.set_priority(a, n, "darurat"),
                lambda n: Case.get(Case.number == n).priority,
            ),
            OPERATOR,
        ),
        "case.category": (
            _on_case(
                "baru",
                lambda a, n: cases.set_category(a, n, 9),
                lambda n: Case.get(Case.number == n).category_code,
            ),
            OPERATOR,
        ),
        "case.note": (
            _on_case(
                "baru",
                lambda a, n: cases.add_note(a, n, "Kunjungan rumah", "kunjungan"),
                lambda n: Activity.select().where(Activity.kind == "kunjungan").count(),
            ),
            OPERATOR,
        ),
        "case.assign": (
            _on_case(
                "baru",
                lambda a, n: assignment.assign_case(a, n, worker_id=_worker("Dewi Lestari")),
                lambda n: Case.get(Case.number == n).worker_id,
            ),
            OPERATOR,
        ),
        "case.assign_auto": (
            _on_case(
                "baru",
                lambda a, n: assignment.assign_case(a, n, auto=True),
                lambda n: Case.get(Case.number == n).worker_id,
            ),
            OPERATOR,
        ),
        "case.reassign_across_kecamatan": (
            _on_case(
                "ditugaskan",
                lambda a, n: assignment.assign_case(a, n, worker_id=_worker("Rahmat Hidayat")),
                lambda n: Case.get(Case.number == n).worker_id,
            ),
            SUPERVISOR,
        ),
        "case.handle": (
            _on_case("ditugaskan", lambda a, n: cases.change_status(a, n, "ditangani"), _status),
            OPERATOR,
        ),
        "case.resolve": (
            _on_case(
                "ditangani",
                lambda a, n: cases.change_status(a, n, "selesai", outcome="Dapat bantuan"),
                _status,
            ),
            OPERATOR,
        ),
        "case.close": (
            _on_case("selesai", lambda a, n: cases.change_status(a, n, "ditutup"), _status),
            SUPERVISOR,
        ),
        "case.close_early": (
            _on_case(
                "baru",
                lambda a, n: cases.change_status(a, n, "ditutup", reason="duplikat"),
                _status,
            ),
            SUPERVISOR,
        ),
        "case.reopen": (
            _on_case(
                "ditutup",
                lambda a, n: cases.change_status(a, n, "ditangani", reason="kambuh"),
                _status,
            ),
            SUPERVISOR,
        ),
        "followup.create": (
            _on_case(
                "ditugaskan",
                lambda a, n: followups.create_followup(
                    a, n, opd="DINKES", action="Daftarkan PBI-JK"
                ),
                lambda n: FollowUp.select().count(),
            ),
            OPERATOR,
        ),
        "followup.update": (_followup_then_update, OPERATOR),
        "case.view": (
            _on_case(
                "baru",
                privacy.view_case,
                lambda n: AuditLog.select().where(AuditLog.action == "case.view").count(),
            ),
            EVERYONE - ELSEWHERE,
        ),
        "case.view_emergency": (
            _on_case(
                "baru",
                lambda a, n: privacy.view_case_emergency(a, n, "klien datang ke kantor kami"),
                lambda n: AuditLog.select().where(AuditLog.action == "case.view").count(),
            ),
            EVERYONE,
        ),
        "audit.emergency": (
            _plain(
                lambda a: emergency.list_grants(a),
                lambda: AuditLog.select().where(AuditLog.detail == "emergency").count(),
            ),
            SUPERVISOR,
        ),
        "worker.add": (
            _plain(
                lambda a: workers.add_worker(
                    a, kind="psm", name="Budi Santoso", kelurahan="Kenanga"
                ),
                lambda: Worker.select().count(),
            ),
            ADMIN,
        ),
        "worker.edit": (
            _plain(
                lambda a: workers.edit_worker(a, _worker("Dewi Lestari"), phone="081234567890"),
                lambda: Worker.get(Worker.name == "Dewi Lestari").phone,
            ),
            ADMIN,
        ),
        "worker.deactivate": (
            _plain(
                lambda a: workers.deactivate_worker(a, _worker("Dewi Lestari"), "pindah"),
                lambda: not Worker.get(Worker.name == "Dewi Lestari").active,
            ),
            ADMIN,
        ),
        "user.add": (
            _plain(
                lambda a: users.add_user(a, "baru", "viewer"), lambda: StaffUser.select().count()
            ),
            ADMIN,
        ),
        "ssh.authorize": (
            _plain(
                lambda a: ssh_keys.authorize(a, "viewer", ED25519, keys),
                lambda: keys.exists() and key_file_lines(),
            ),
            ADMIN,
        ),
        "ssh.list": (_ssh_list(keys), ADMIN),
        "db.init": (_as_os_user(monkeypatch, _init), ADMIN),
        "db.migrate": (_as_os_user(monkeypatch, _migrate), ADMIN),
        "db.check": (_as_os_user(monkeypatch, _check), SUPERVISOR),
        "audit.read": (
            _plain(
                lambda a: privacy.audit_trail(a),
                lambda: AuditLog.select().where(AuditLog.action == "audit.read").count(),
            ),
            SUPERVISOR,
        ),
        "db.backup": (_backup(tmp), SUPERVISOR),
        "db.restore": (_restore(tmp, monkeypatch), ADMIN),
    }


ACTION_NAMES = list(_actions(Path("/nonexistent"), pytest.MonkeyPatch()).keys())


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("action", ACTION_NAMES)
def test_role_matrix(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, action: str, role: str
) -> None:
    prepare, allowed = _actions(tmp_path, monkeypatch)[action]
    admin = users.actor_for("tester")
    run = prepare(admin)
    actor = _actor(role)
    refusals_before = AuditLog.select().where(AuditLog.action == "refused").count()
    if role in allowed:
        effect = run(actor)
        assert effect(), f"{action} by {role} had no effect"
        refused = AuditLog.select().where(AuditLog.action == "refused").count()
        assert refused == refusals_before
        return
    with pytest.raises(PermissionDenied) as refusal:
        run(actor)
    message = str(refusal.value)
    out_of_scope = action == "case.view" and role in ELSEWHERE
    if out_of_scope:
        assert "is in Kec. Cipondoh, outside your scope" in message
    elif role == "operator_elsewhere" and action in _scoped_for_operators() | {
        "case.reassign_across_kecamatan"
    }:
        assert "Your scope is Kec. Karawaci; this record is in Kec. Cipondoh" in message
    else:
        needed = (
            "admin" if allowed == ADMIN else "supervisor" if allowed == SUPERVISOR else ("operator")
        )
        if action == "case.reassign_across_kecamatan" and ROLES[role][0] == "viewer":
            needed = "operator"  # assigning at all is checked first
        assert f"This needs the {needed} role (you are {ROLES[role][0]})" in message
    rows = list(
        AuditLog.select().where(AuditLog.action == "refused", AuditLog.username == actor.username)
    )
    assert len(rows) == 1, "the refusal must be in the audit log, even after the rollback"
    assert rows[0].entity == ("case" if out_of_scope else "permission")


# --- Reads: what each role sees of a case in Kec. Cipondoh (1 = the case, 0 = nothing) ----------

NIK = "3671055501800001"
READS: dict[str, Callable[[Actor, str, Path], int]] = {
    "case.list": lambda a, n, t: len(case_queries.list_cases(a)),
    "case.list_kecamatan": lambda a, n, t: len(
        case_queries.list_cases(a, case_queries.CaseFilter(kecamatan="36.71.05"))
    ),
    "case.search_name": lambda a, n, t: len(
        case_queries.list_cases(a, case_queries.CaseFilter(search="Sari"))
    ),
    "case.search_nik": lambda a, n, t: len(
        case_queries.list_cases(a, case_queries.CaseFilter(search=NIK))
    ),
    "case.count": lambda a, n, t: case_queries.count_cases(case_queries.CaseFilter(), a),
    "case.count_search": lambda a, n, t: case_queries.count_cases(
        case_queries.CaseFilter(search="Sari"), a
    ),
    "case.show": lambda a, n, t: int(privacy.view_case(a, n).number == n),
    "dashboard": lambda a, n, t: (
        dashboard.figures(a).open_cases + sum(k.open for k in dashboard.by_kecamatan(a))
    ),
    "followup.list": lambda a, n, t: len(followups.list_followups(actor=a)),
    "followup.by_opd": lambda a, n, t: sum(o.open for o in dashboard.followups_by_opd(a)),
    "summary": lambda a, n, t: reports.overview(reports.scoped(a, reports.ReportScope())).total,
    "export.cases": lambda a, n, t: (
        export_to(a, exports.ExportRequest("cases", "csv"), t / f"{a.username}.csv").rows
    ),
}
# Reads refused outright (PermissionDenied) rather than filtered to nothing.
READ_REFUSED = {
    ("case.show", "viewer_elsewhere"),
    ("case.show", "operator_elsewhere"),
    ("export.cases", "viewer"),
    ("export.cases", "viewer_elsewhere"),
}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("action", list(READS))
def test_read_matrix(world: Path, tmp_path: Path, action: str, role: str) -> None:
    """Citywide roles see the Cipondoh case; roles scoped to Karawaci get nothing of it."""
    admin = users.actor_for("tester")
    number = cases.register_case(
        admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8, nik=NIK
    ).case.number
    followups.create_followup(admin, number, opd="DINKES", action="Daftarkan PBI-JK")
    read = READS[action]
    if (action, role) in READ_REFUSED:
        with pytest.raises(PermissionDenied):
            read(_actor(role), number, tmp_path)
        return
    seen = read(_actor(role), number, tmp_path)
    expected = 0 if role in ELSEWHERE else 2 if action == "dashboard" else 1
    assert seen == expected


def _scoped_for_operators() -> set[str]:
    """Actions an operator may do in their own kecamatan."""
    return {
        name
        for name, (_prepared, allowed) in _actions(
            Path("/nonexistent"), pytest.MonkeyPatch()
        ).items()
        if allowed == OPERATOR
    }


def test_scoped_operator_may_act_in_their_own_kecamatan(world: Path) -> None:
    admin = users.actor_for("tester")
    operator = _actor("operator")
    number = _case(admin, "baru")
    assignment.assign_case(operator, number, auto=True)
    cases.change_status(operator, number, "ditangani")
    registered = cases.register_case(operator, name="Pak Budi", kelurahan="Kenanga", category=24)
    assert registered.case.summary.kelurahan.kecamatan_code == "36.71.05"
    assert _status(number) == "ditangani"


def test_scoped_operator_may_not_register_in_another_kecamatan(world: Path) -> None:
    with pytest.raises(PermissionDenied, match=r"Your scope is Kec\. Cipondoh"):
        cases.register_case(_actor("operator"), name="Pak Budi", kelurahan="Karawaci", category=24)
    assert Case.select().count() == 0


@pytest.mark.parametrize(
    ("role", "full"),
    [("viewer", False), ("operator", False), ("supervisor", True), ("admin", True)],
)
def test_full_nik_only_from_supervisor_up_and_every_view_is_audited(
    world: Path, role: str, full: bool
) -> None:
    admin = users.actor_for("tester")
    nik = "3671055501800001"
    number = cases.register_case(
        admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8, nik=nik, kk="3671051234560001"
    ).case.number
    detail = privacy.view_case(_actor(role), number)
    assert detail.client.nik == (nik if full else "************0001")
    assert detail.client.kk == ("3671051234560001" if full else "************0001")
    row = AuditLog.get(AuditLog.action == "case.view")
    assert (row.username, row.case_number, row.entity, row.entity_id) == (
        _actor(role).username,
        number,
        "client",
        str(detail.client.id),
    )
    assert row.detail == ("full NIK" if full else "masked NIK")


def test_restore_by_os_user_when_the_database_cannot_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, world: Path
) -> None:
    """A new server (or a damaged file): nobody can be looked up; file permissions decide."""
    admin = users.actor_for("tester")
    backup = tmp_path / "b.db"
    maintenance.backup_database(admin, backup)
    database.close_database()
    fresh = tmp_path / "new" / "psm.db"
    database.open_database(str(fresh))
    monkeypatch.setattr(users, "os_username", lambda: "root")
    assert maintenance.restoring_actor(None, "") is None
    result = maintenance.restore_database(None, backup)
    assert result.kept is None
    assert AuditLog.select().where(AuditLog.action == "db.restore").get().username == "root"
    assert os.stat(fresh).st_mode & 0o777 == 0o600
