"""Backup, restore and the health check of the database."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from psm_tui.core import audit_chain, cases, clock, timeline, users
from psm_tui.core.dto import Actor
from psm_tui.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    ValidationError,
)
from psm_tui.ops import maintenance
from psm_tui.store import backend, database
from psm_tui.store import maintenance as backend_maintenance
from psm_tui.store.database import db
from psm_tui.store.models import AuditLog, Case


def _register(actor: Actor, name: str = "Ibu Sari") -> str:
    return cases.register_case(actor, name=name, kelurahan="Poris Plawad", category=8).case.number


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _items(report: maintenance.CheckReport) -> dict[str, maintenance.CheckItem]:
    return {item.name: item for item in report.items}


# --- backup ---------------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_backup_is_a_private_self_contained_checked_copy(
    initialised: Path, admin: Actor, tmp_path: Path
) -> None:
    _register(admin)
    target = tmp_path / "backups" / "psm-monday.db"
    target.parent.mkdir()
    result = maintenance.backup_database(admin, target)
    assert (result.path, result.cases, result.mode) == (target, 1, 0o600)
    assert _mode(target) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["psm-monday.db"]
    assert _rows(target, "PRAGMA journal_mode") == [("delete",)]
    assert _rows(target, "PRAGMA integrity_check") == [("ok",)]
    assert _rows(target, 'SELECT number FROM "case"') == [(c.number,) for c in Case.select()]
    copied = _rows(target, "SELECT id, action FROM audit_log ORDER BY id")
    live = [(r.id, r.action) for r in AuditLog.select().order_by(AuditLog.id)]
    assert copied == live[:-1]  # everything but the row recording this backup
    assert live[-1][1] == "db.backup"
    assert AuditLog.get(AuditLog.action == "db.backup").detail == str(target)


@pytest.mark.sqlite_only
def test_backup_overwrites_an_older_backup_atomically(
    initialised: Path, admin: Actor, tmp_path: Path
) -> None:
    target = tmp_path / "b.db"
    maintenance.backup_database(admin, target)
    _register(admin)
    maintenance.backup_database(admin, target)
    assert _rows(target, 'SELECT COUNT(*) FROM "case"') == [(1,)]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.sqlite_only
def test_backup_in_staff_group_mode_is_0660(
    initialised: Path, admin: Actor, tmp_path: Path
) -> None:
    previous = os.umask(0o022)
    try:
        result = maintenance.backup_database(admin, tmp_path / "b.db", group_shared=True)
    finally:
        os.umask(previous)
    assert _mode(result.path) == 0o660


@pytest.mark.sqlite_only
def test_backup_into_a_folder_gets_a_timestamped_name(
    initialised: Path, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 11, 27, 23, 5, 9))
    folder = tmp_path / "nightly"
    folder.mkdir()
    result = maintenance.backup_database(admin, folder)
    assert result.path == folder / "psm-20261127-230509.db"
    assert result.path.is_file()


@pytest.mark.sqlite_only
def test_backup_refuses_the_live_file_and_missing_folders(
    initialised: Path, admin: Actor, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="is the live database itself"):
        maintenance.backup_database(admin, initialised)
    db.execute_sql("SELECT 1")
    with pytest.raises(ValidationError, match="is the live database itself"):
        maintenance.backup_database(admin, initialised.with_name("psm.db-wal"))
    with pytest.raises(ValidationError, match="does not exist"):
        maintenance.backup_database(admin, tmp_path / "nowhere" / "b.db")
    assert AuditLog.select().where(AuditLog.action == "db.backup").count() == 0


@pytest.mark.sqlite_only
def test_backup_leaves_out_a_transaction_still_in_progress(
    initialised: Path, admin: Actor, tmp_path: Path
) -> None:
    """A colleague in the middle of saving: the backup has the state before their save."""
    _register(admin)
    colleague = sqlite3.connect(initialised, isolation_level=None)
    colleague.execute("BEGIN IMMEDIATE")
    colleague.execute("UPDATE \"case\" SET priority = 'darurat'")
    try:  # the copy itself needs no lock (recording it in the audit log waits for the colleague)
        backend_maintenance.backup_sqlite(db.obj, tmp_path / "b.db", 0o600)
    finally:
        colleague.execute("COMMIT")
        colleague.close()
    assert _rows(tmp_path / "b.db", 'SELECT priority FROM "case"') == [("normal",)]
    assert Case.get().priority == "darurat"


# --- restore --------------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_restore_replaces_the_data_and_keeps_the_replaced_file(
    initialised: Path, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _register(admin, "Ibu Sari")
    backup = tmp_path / "b.db"
    maintenance.backup_database(admin, backup)
    second = _register(admin, "Pak Budi")
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 11, 28, 8, 0, 0))
    result = maintenance.restore_database(admin, backup)
    kept = initialised.with_name("psm.db.replaced-20261128-080000")
    assert (result.kept, result.cases, result.pending) == (kept, 1, [])
    assert [c.number for c in Case.select()] == [first]
    assert _rows(kept, 'SELECT number FROM "case" ORDER BY id') == [(first,), (second,)]
    assert _mode(kept) == 0o600
    assert _mode(initialised) == 0o600
    row = AuditLog.select().order_by(AuditLog.id.desc()).get()
    assert (row.action, row.username) == ("db.restore", "tester")
    assert timeline.render(row.detail) == f"from {backup}; replaced contents kept in {kept}"
    again = maintenance.restore_database(admin, backup)
    assert again.kept == kept.with_name(kept.name + "-1")


HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()
print("connected", flush=True)
sys.stdin.read()
"""


@pytest.mark.sqlite_only
def test_restore_is_refused_while_someone_else_is_connected(
    initialised: Path, admin: Actor, tmp_path: Path
) -> None:
    backup = tmp_path / "b.db"
    maintenance.backup_database(admin, backup)
    number = _register(admin)
    other = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(initialised), "--as", "siti"],  # as a forced command
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None and other.stdout.readline() == "connected\n"
        with pytest.raises(ConflictError) as refusal:
            maintenance.restore_database(admin, backup)
        assert f"siti (pid {other.pid}, since " in str(refusal.value)
        assert str(refusal.value).startswith("Others are using the database: 1 (")
        assert str(refusal.value).endswith("Ask them to quit psm, then try again")
    finally:
        other.communicate("")
    assert [c.number for c in Case.select()] == [number]
    assert not list(tmp_path.glob("psm.db.replaced-*"))
    assert maintenance.restore_database(admin, backup).cases == 0


@pytest.mark.sqlite_only
def test_restore_refuses_what_is_not_a_sound_psm_backup(
    initialised: Path, admin: Actor, tmp_path: Path
) -> None:
    with pytest.raises(NotFoundError, match="No backup file"):
        maintenance.restore_database(admin, tmp_path / "missing.db")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(ValidationError, match="is not a psm database"):
        maintenance.restore_database(admin, garbage)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x (y)").connection.commit()
    with pytest.raises(ValidationError, match="is not a psm database"):
        maintenance.restore_database(admin, other)
    with pytest.raises(ValidationError, match="is the live database itself"):
        maintenance.restore_database(admin, initialised)
    newer = tmp_path / "newer.db"
    maintenance.backup_database(admin, newer)
    conn = sqlite3.connect(newer)
    conn.execute(
        "INSERT INTO schema_migration (name, applied) VALUES ('9999_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(ConflictError, match="made by a newer psm \\(9999_future\\)"):
        maintenance.restore_database(admin, newer)
    assert not list(tmp_path.glob("psm.db.replaced-*"))


@pytest.mark.sqlite_only
def test_restoring_an_older_backup_reports_pending_migrations(
    initialised: Path, admin: Actor, tmp_path: Path
) -> None:
    last = database.runner().status()[-1].name
    older = tmp_path / "older.db"
    maintenance.backup_database(admin, older)
    conn = sqlite3.connect(older)
    conn.execute("DELETE FROM schema_migration WHERE name = ?", (last,))
    conn.commit()
    conn.close()
    assert maintenance.restore_database(admin, older).pending == [last]


@pytest.mark.sqlite_only
def test_a_backup_from_before_the_hash_chain_is_restored_audited_and_chained_on_migrating(
    initialised: Path, admin: Actor, tmp_path: Path
) -> None:
    older = tmp_path / "older.db"
    maintenance.backup_database(admin, older)
    conn = sqlite3.connect(older, isolation_level=None)
    conn.execute("ALTER TABLE audit_log DROP COLUMN row_hash")  # as psm 0007 made it
    conn.execute("DELETE FROM schema_migration WHERE name = '0008_audit_hash_chain'")
    conn.close()
    assert maintenance.restore_database(admin, older).pending == ["0008_audit_hash_chain"]
    database.migrate()
    assert AuditLog.select().order_by(AuditLog.id.desc()).get().action == "db.restore"
    report = audit_chain.verify()
    assert report.ok and report.rows == AuditLog.select().count()


def test_only_an_admin_restores(
    initialised: Path, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    users.add_user(admin, "sup", "supervisor")
    assert maintenance.restoring_actor(None, "") == admin
    monkeypatch.setattr(users, "os_username", lambda: "sup")
    with pytest.raises(PermissionDenied, match="needs the admin role"):
        maintenance.restoring_actor(None, "")


# --- check ----------------------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_check_of_a_healthy_database(initialised: Path, admin: Actor) -> None:
    _register(admin)
    report = maintenance.check_database()
    items = _items(report)
    assert report.ok, report
    assert list(items) == [
        "integrity",
        "foreign_keys",
        "schema",
        "audit_guard",
        "audit_chain",
        "file_modes",
        "directory",
        "connections",
        "nik_searches",
    ]
    assert items["integrity"].detail == "ok"
    last = AuditLog.select().order_by(AuditLog.id.desc()).get()
    assert items["audit_chain"].detail == f"{last.id} rows, unbroken"
    assert (report.audit_head.id, report.audit_head.hash) == (last.id, last.row_hash)
    assert items["schema"].detail.startswith("up to date (")
    assert items["file_modes"].detail == "psm.db 0600, psm.db-wal 0600, psm.db-shm 0600"
    assert items["connections"].detail == "nobody else"


@pytest.mark.sqlite_only
def test_check_finds_exposed_files_and_folders(initialised: Path) -> None:
    initialised.chmod(0o644)
    initialised.parent.chmod(0o777)
    try:
        items = _items(maintenance.check_database())
    finally:
        initialised.parent.chmod(0o755)
    assert not items["file_modes"].ok
    assert items["file_modes"].detail.endswith(f"fix with: chmod 600 {initialised}")
    assert not items["directory"].ok
    assert "anyone may replace the database" in items["directory"].detail
    grouped = _items(maintenance.check_database(group_shared=True))
    assert not grouped["directory"].ok
    assert "chmod g+s" in grouped["directory"].detail
    initialised.chmod(0o640)
    assert not _items(maintenance.check_database())["file_modes"].ok
    assert _items(maintenance.check_database(group_shared=True))["file_modes"].ok


@pytest.mark.sqlite_only
def test_check_finds_dangling_foreign_keys(initialised: Path, admin: Actor) -> None:
    _register(admin)
    raw = sqlite3.connect(initialised, isolation_level=None)
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.execute('UPDATE "case" SET client_id = 999')
    raw.close()
    report = maintenance.check_database()
    item = _items(report)["foreign_keys"]
    assert not report.ok
    assert item.detail == "1 rows point to missing records: case #1 -> client"


def test_check_finds_pending_migrations_and_a_removed_audit_guard(initialised: Path) -> None:
    backend.remove_audit_guard(db.obj)
    items = _items(maintenance.check_database())
    assert not items["audit_guard"].ok
    assert "missing" in items["audit_guard"].detail
    last = database.runner().status()[-1].name
    db.execute_sql(f"DELETE FROM schema_migration WHERE name = {db.obj.param}", (last,))
    schema = _items(maintenance.check_database())["schema"]
    assert not schema.ok
    assert schema.detail == f"1 pending: {last}; run: psm migrate"


def test_integrity_check_sees_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "damaged.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.execute("CREATE INDEX t_x ON t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(f"value {i}",) for i in range(2000)])
    conn.commit()
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 't_x'").fetchone()[0]
    conn.close()
    with path.open("r+b") as fh:
        fh.seek((root - 1) * page_size + 8)
        fh.write(b"\xff" * 64)
    conn = sqlite3.connect(path)
    try:
        assert backend_maintenance.integrity_problems(conn) != []
    finally:
        conn.close()
