"""Audit log append-only in the database itself, refusals that survive rollbacks, identity, and
the privacy of the database files."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from psm_tui import config
from psm_tui.config import load_settings
from psm_tui.core import cases, session, users
from psm_tui.core.dto import Actor
from psm_tui.core.errors import BusyError, PermissionDenied
from psm_tui.store import backend, database
from psm_tui.store.database import db
from psm_tui.store.dialects import sqlite
from psm_tui.store.errors import DatabaseBusy, InsecureDatabaseError
from psm_tui.store.models import AuditLog, Case
from tests.conftest import make_user


@pytest.fixture
def case_number(admin: Actor) -> str:
    return cases.register_case(
        admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8
    ).case.number


@pytest.mark.sqlite_only
def test_raw_update_and_delete_on_audit_log_fail(initialised: Path, case_number: str) -> None:
    before = list(sqlite3.connect(initialised).execute("SELECT * FROM audit_log ORDER BY id"))
    raw = sqlite3.connect(initialised, isolation_level=None)
    for sql in (
        "UPDATE audit_log SET username = 'nobody'",
        "UPDATE audit_log SET changes = '{}' WHERE action = 'case.create'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE id = 1",
    ):
        with pytest.raises(sqlite3.IntegrityError, match="audit_log is append-only"):
            raw.execute(sql)
    raw.close()
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        AuditLog.update(detail="x").execute()
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        AuditLog.delete().where(AuditLog.id == 1).execute()
    after = list(sqlite3.connect(initialised).execute("SELECT * FROM audit_log ORDER BY id"))
    assert after == before
    assert len(after) >= 3  # user.add, client.create, case.create


@pytest.mark.sqlite_only
def test_appending_still_works_and_the_guard_is_reported(initialised: Path) -> None:
    assert backend.audit_guard_installed(db.obj)
    raw = sqlite3.connect(initialised, isolation_level=None)
    raw.execute(
        "INSERT INTO audit_log (at, username, action, entity, changes, detail) "
        "VALUES ('2026-01-01', 'x', 'y', 'z', '{}', '')"
    )
    raw.close()
    backend.remove_audit_guard(db.obj)
    assert not backend.audit_guard_installed(db.obj)
    AuditLog.update(detail="now allowed").where(AuditLog.username == "x").execute()
    backend.install_audit_guard(db.obj)
    backend.install_audit_guard(db.obj)  # idempotent
    assert backend.audit_guard_installed(db.obj)
    with pytest.raises(peewee.IntegrityError):
        AuditLog.delete().execute()


def test_a_refusal_inside_a_rolled_back_transaction_is_still_recorded(
    admin: Actor, case_number: str
) -> None:
    viewer = make_user(admin, "vera", "viewer")
    with pytest.raises(PermissionDenied), db.atomic():
        cases.add_note(admin, case_number, "this note is rolled back")
        users.require(viewer, "case.note")
    rows = list(AuditLog.select().where(AuditLog.username == "vera"))
    assert [(r.action, r.entity_id, r.detail) for r in rows] == [
        ("refused", "case.note", "operator")
    ]
    assert AuditLog.select().where(AuditLog.action == "case.note").count() == 0


def test_a_refusal_in_a_committed_transaction_is_recorded_once(admin: Actor) -> None:
    viewer = make_user(admin, "vera", "viewer")
    with db.atomic():
        with contextlib.suppress(PermissionDenied):
            users.require(viewer, "export")
        assert AuditLog.select().where(AuditLog.username == "vera").count() == 0  # not yet
    assert AuditLog.select().where(AuditLog.username == "vera").count() == 1


def test_refused_service_call_leaves_its_refusal_and_nothing_else(
    admin: Actor, case_number: str
) -> None:
    operator = make_user(admin, "op", "operator")
    with pytest.raises(PermissionDenied, match="needs the supervisor role"):
        cases.change_status(operator, case_number, "ditutup", reason="duplikat")
    assert Case.get(Case.number == case_number).status == "baru"
    row = AuditLog.get(AuditLog.username == "op")
    assert (row.action, row.entity, row.entity_id, row.detail) == (
        "refused",
        "permission",
        "case.close",
        "supervisor",
    )


def test_as_by_the_wrong_account_is_refused_and_audited(
    admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(admin, "siti", "operator")
    monkeypatch.setattr(users, "os_username", lambda: "budi")
    with pytest.raises(
        PermissionDenied, match="only allowed for the service account; you are budi"
    ):
        users.resolve_actor("siti", "psm")
    row = AuditLog.get(AuditLog.action == "refused")
    assert (row.username, row.entity, row.detail) == ("budi", "identity", "--as siti")


def test_unregistered_login_is_refused_and_audited(
    initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(users, "os_username", lambda: "stranger")
    with pytest.raises(PermissionDenied, match="stranger is not registered"):
        users.resolve_actor(None, "")
    row = AuditLog.get(AuditLog.action == "refused")
    assert (row.username, row.entity, row.detail) == ("stranger", "identity", "not registered")


def test_service_account_is_read_only_from_the_system_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = tmp_path / "etc-config.toml"
    system.write_text('service_account = "psm"\nservice_group_mode = true\n')
    monkeypatch.setattr(config, "SYSTEM_CONFIG", system)
    user_file = config.user_config_path()
    user_file.parent.mkdir(parents=True)
    user_file.write_text('service_account = "mallory"\n')
    settings = load_settings()
    assert (settings.service_account, settings.service_group_mode) == ("psm", True)
    system.write_text('service_group_mode = "false"\n')
    assert (load_settings().service_account, load_settings().service_group_mode) == ("", False)


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _modes(path: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in sqlite.sidecar_files(path)}


@pytest.mark.usefixtures("umask_022")
def test_database_wal_and_shm_are_private(tmp_path: Path) -> None:
    path = tmp_path / "psm.db"
    database.open_database(str(path))
    db.execute_sql("CREATE TABLE t (x)")
    db.execute_sql("INSERT INTO t VALUES (1)")
    assert _modes(path) == {"psm.db": 0o600, "psm.db-wal": 0o600, "psm.db-shm": 0o600}


@pytest.mark.usefixtures("umask_022")
def test_staff_group_mode_makes_every_file_0660(tmp_path: Path) -> None:
    path = tmp_path / "psm.db"
    database.open_database(str(path), group_shared=True)
    db.execute_sql("CREATE TABLE t (x)")
    assert _modes(path) == {"psm.db": 0o660, "psm.db-wal": 0o660, "psm.db-shm": 0o660}


@pytest.mark.parametrize("which", ["psm.db", "psm.db-wal"])
@pytest.mark.sqlite_only
def test_a_world_readable_database_is_refused_with_the_fix(initialised: Path, which: str) -> None:
    colleague = sqlite3.connect(initialised)  # keeps the -wal file in place
    colleague.execute("SELECT COUNT(*) FROM audit_log").fetchone()
    exposed = initialised.with_name(which)
    exposed.chmod(0o644)
    database.close_database()
    with pytest.raises(InsecureDatabaseError) as refusal:
        database.open_database(str(initialised))
    assert str(refusal.value) == (
        f"{initialised} is open to every user of this server; fix it with: chmod 600 {exposed}"
    )
    with pytest.raises(InsecureDatabaseError, match="chmod 660"):
        database.open_database(str(initialised), group_shared=True)
    exposed.chmod(0o600)
    database.open_database(str(initialised))
    assert Case.select().count() == 0
    colleague.close()


@pytest.mark.sqlite_only
def test_a_write_that_waits_out_the_busy_timeout_raises_busy_error(
    initialised: Path, admin: Actor, case_number: str
) -> None:
    """No raw 'database is locked' reaches a user: the store raises DatabaseBusy, and the unit of
    work every CLI command and TUI job runs in words it as BusyError (a PsmError)."""
    database.close_database()
    quick = sqlite.PsmSqliteDatabase(
        str(initialised),
        lock_type="IMMEDIATE",
        timeout=0.05,
        pragmas={**sqlite.SQLITE_PRAGMAS, "busy_timeout": 50},
    )
    db.initialize(quick)
    holder = sqlite3.connect(initialised, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy):
            cases.add_note(admin, case_number, "waits for the lock")
        with pytest.raises(BusyError, match="The database is busy"), session.translated():
            cases.add_note(admin, case_number, "waits for the lock")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert cases.add_note(admin, case_number, "now it works").number == case_number
