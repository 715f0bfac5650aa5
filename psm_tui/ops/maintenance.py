"""Keeping the data safe: online backup, restore, and a health check of the database.

The SQLite mechanics (backup API, exclusive lock, PRAGMA checks) are in :mod:`psm_tui.store`;
this module decides who may do what, what counts as a problem, and what the user is told.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

import peewee

from psm_tui.core import audit, audit_chain, audit_verify, clock, masks
from psm_tui.core.audit_chain import ChainHead
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ConflictError, NotFoundError, ValidationError
from psm_tui.core.timeline import encode, fact
from psm_tui.core.users import os_username, require, resolve_actor
from psm_tui.i18n import _
from psm_tui.ops import sessions
from psm_tui.store import backend, database
from psm_tui.store import maintenance as backend_maintenance
from psm_tui.store.database import db
from psm_tui.store.dialects import sqlite
from psm_tui.store.models import Case


def check_label(name: str) -> str:
    return {
        "integrity": _("integrity"),
        "foreign_keys": _("foreign keys"),
        "schema": _("schema version"),
        "audit_guard": _("audit log append-only"),
        "audit_chain": _("audit log hash chain"),
        "file_modes": _("file modes"),
        "directory": _("directory"),
        "connections": _("connected now"),
        "nik_searches": _("full-NIK searches"),
        "ssh_keys": _("SSH keys"),
        "sshd": _("sshd"),
        "last_backup": _("last backup"),
    }.get(name, name)


@dataclass(frozen=True)
class CheckItem:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class CheckReport:
    location: str
    items: tuple[CheckItem, ...]
    audit_head: ChainHead | None = None  # to keep off the server: psm audit verify --anchor

    @property
    def ok(self) -> bool:
        return all(item.ok for item in self.items)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    cases: int
    mode: int
    audit_head: ChainHead | None = None  # the backup's last audit row, to anchor off the server


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    kept: Path | None
    cases: int
    pending: list[str]


def _live_path() -> Path:
    path = backend_maintenance.sqlite_path(db.obj)
    if path is None:
        raise ValidationError(
            _("This database is on PostgreSQL: back it up and restore it with pg_dump/pg_restore")
        )
    return path


def _stamp() -> str:
    return clock.now().strftime("%Y%m%d-%H%M%S")


def _is_live_file(path: Path, live: Path) -> bool:
    return path.resolve() in {p.resolve() for p in sqlite.sidecar_files(live)}


# --- psm check ------------------------------------------------------------------------------------


def _schema_item() -> list[CheckItem]:
    rows = database.runner().status()
    pending = [m.name for m in rows if m.path is not None and not m.applied]
    unknown = [m.name for m in rows if m.path is None]
    items = []
    if unknown:
        items.append(
            CheckItem(
                "schema",
                False,
                _("applied by a newer psm: {names}; upgrade psm").format(names=", ".join(unknown)),
            )
        )
    elif "0001_initial" in pending:
        items.append(CheckItem("schema", False, _("not set up; run: psm init")))
    elif pending:
        items.append(
            CheckItem(
                "schema",
                False,
                _("{count} pending: {names}; run: psm migrate").format(
                    count=len(pending), names=", ".join(pending)
                ),
            )
        )
    else:
        applied = [m.name for m in rows if m.applied]
        items.append(
            CheckItem(
                "schema",
                True,
                _("up to date ({name})").format(name=applied[-1] if applied else "-"),
            )
        )
    if "0002_audit_append_only" not in pending and "0001_initial" not in pending:
        guarded = backend.audit_guard_installed(db.obj)
        items.append(
            CheckItem(
                "audit_guard",
                guarded,
                _("ok")
                if guarded
                else _("the triggers protecting audit_log are missing; someone removed them"),
            )
        )
    return items


def _nik_search_item() -> CheckItem:
    """Users who searched more whole NIKs in a day than an intake desk needs (masks.py)."""
    heavy = masks.heavy_nik_searchers()
    if not heavy:
        return CheckItem(
            "nik_searches",
            True,
            _("ok (at most {limit} a day per user)").format(limit=masks.NIK_SEARCHES_PER_DAY),
        )
    shown = ", ".join(f"{user} {day.isoformat()}: {n}" for user, day, n in heavy[:5])
    return CheckItem(
        "nik_searches",
        False,
        _("more than {limit} a day: {who}; see psm audit").format(
            limit=masks.NIK_SEARCHES_PER_DAY, who=shown
        ),
    )


def _modes_item(live: Path, group_shared: bool) -> CheckItem:
    allowed = sqlite.file_mode(group_shared)
    shown, wrong = [], []
    for path in sqlite.sidecar_files(live):
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        shown.append(f"{path.name} {mode:04o}")
        if mode & ~allowed:
            wrong.append(str(path))
    if wrong:
        return CheckItem(
            "file_modes",
            False,
            _("{modes}; fix with: chmod {mode:o} {files}").format(
                modes=", ".join(shown), mode=allowed, files=" ".join(wrong)
            ),
        )
    return CheckItem("file_modes", True, ", ".join(shown))


def _directory_item(live: Path, group_shared: bool) -> CheckItem:
    folder = live.parent
    mode = folder.stat().st_mode
    text = f"{folder} {stat.S_IMODE(mode):04o}"
    if mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
        return CheckItem(
            "directory",
            False,
            _("{dir}: anyone may replace the database; fix with: chmod o-w {path}").format(
                dir=text, path=folder
            ),
        )
    if group_shared and not mode & stat.S_ISGID:
        return CheckItem(
            "directory",
            False,
            _("{dir}: staff group mode needs a setgid folder; fix with: chmod g+s {path}").format(
                dir=text, path=folder
            ),
        )
    return CheckItem("directory", True, text)


def connected_text(live: Path, nobody: str = "") -> str:
    """Who else has the database open, e.g. ``2 (siti (pid 1234, since 09:12), budi (…))``."""
    pids = backend_maintenance.connected_processes(live)
    if pids is None:
        return _("unknown")
    if not pids:
        return nobody or _("nobody else")
    who = ", ".join(sessions.describe(pid) for pid in pids)
    return f"{len(pids)} ({who})"


def check_database(*, group_shared: bool = False) -> CheckReport:
    """Integrity, foreign keys, schema version, audit protection, file and folder modes."""
    items: list[CheckItem] = []
    live = backend_maintenance.sqlite_path(db.obj)
    if live is not None:
        conn = db.obj.connection()
        problems = backend_maintenance.integrity_problems(conn)
        items.append(CheckItem("integrity", not problems, "; ".join(problems[:5]) or _("ok")))
        dangling = backend_maintenance.foreign_key_problems(conn)
        where = ", ".join(f"{table} #{rowid} -> {parent}" for table, rowid, parent in dangling[:5])
        items.append(
            CheckItem(
                "foreign_keys",
                not dangling,
                _("ok")
                if not dangling
                else _("{count} rows point to missing records: {where}").format(
                    count=len(dangling), where=where
                ),
            )
        )
    items.extend(_schema_item())
    chain, head = _chain_items()
    items.extend(chain)
    if live is not None:
        items.append(_modes_item(live, group_shared))
        items.append(_directory_item(live, group_shared))
        items.append(CheckItem("connections", True, connected_text(live)))
    if db.table_exists("audit_log"):
        items.append(_nik_search_item())
    return CheckReport(str(live) if live else "PostgreSQL", tuple(items), head)


def _chain_items() -> tuple[list[CheckItem], ChainHead | None]:
    """The whole hash chain verified (once migration 0008 has given the rows their hashes)."""
    if "0008_audit_hash_chain" in database.pending_migrations():
        return [], None
    report = audit_chain.verify()
    if report.broken is not None:
        return [CheckItem("audit_chain", False, audit_verify.break_text(report.broken))], None
    detail = _("{rows} rows, unbroken").format(rows=report.rows)
    return [CheckItem("audit_chain", True, detail)], report.head


# --- psm backup -----------------------------------------------------------------------------------


def backup_name() -> str:
    return f"psm-{_stamp()}.db"


def backup_database(actor: Actor, target: Path, *, group_shared: bool = False) -> BackupResult:
    """A consistent copy taken while others keep working; created 0600 (0660 for a staff group).

    ``target`` comes from :func:`file_access.backup_target`, which applies the file boundary;
    a folder gets a file named ``psm-YYYYMMDD-HHMMSS.db`` in it.
    """
    require(actor, "db.backup")
    live = _live_path()
    target = target.expanduser().absolute()
    if target.is_dir():
        target = target / backup_name()
    if not target.parent.is_dir():
        raise ValidationError(_("The folder {dir} does not exist").format(dir=target.parent))
    if _is_live_file(target, live):
        raise ValidationError(
            _("{path} is the live database itself; give another file").format(path=target)
        )
    mode = sqlite.file_mode(group_shared)
    try:
        backend_maintenance.backup_sqlite(db.obj, target, mode)
    except peewee.DatabaseError as error:
        raise ConflictError(
            _("The copy failed its check ({error}); run: psm check").format(error=error)
        ) from error
    except OSError as error:
        raise ValidationError(
            _("Cannot write {path}: {error}").format(path=target, error=error.strerror)
        ) from error
    facts = backend_maintenance.inspect_file(target)
    audit.record(actor, "db.backup", "database", None, detail=str(target))
    head = ChainHead(*facts.audit_head) if facts.audit_head else None
    return BackupResult(target, target.stat().st_size, facts.cases, mode, head)


# --- psm restore ----------------------------------------------------------------------------------


def restoring_actor(as_name: str | None, service_account: str) -> Actor | None:
    """Who restores: an admin of the current database. None when that database cannot be read
    at all (a new server, a damaged file): then the file permissions alone decide."""
    try:
        actor = resolve_actor(as_name, service_account)
    except peewee.DatabaseError:
        return None
    require(actor, "db.restore")
    return actor


def _validate_backup(source: Path) -> None:
    known = {m.name for m in database.runner().migrations()}
    try:
        facts = backend_maintenance.inspect_file(source)
    except peewee.DatabaseError as error:
        raise ValidationError(
            _("{path} is not a psm database ({error})").format(path=source, error=error)
        ) from error
    if facts.problems:
        raise ValidationError(
            _("{path} is damaged: {problems}").format(
                path=source, problems="; ".join(facts.problems[:3])
            )
        )
    if not {"schema_migration", "case", "audit_log", "staff_user"} <= facts.tables:
        raise ValidationError(_("{path} is not a psm database").format(path=source))
    if facts.applied - known:
        raise ConflictError(
            _("{path} was made by a newer psm ({names}); upgrade psm first").format(
                path=source, names=", ".join(sorted(facts.applied - known))
            )
        )


def _keep_path(live: Path) -> Path:
    base = live.with_name(f"{live.name}.replaced-{_stamp()}")
    candidate, n = base, 1
    while candidate.exists():
        candidate, n = base.with_name(f"{base.name}-{n}"), n + 1
    return candidate


def restore_database(
    actor: Actor | None, source: Path, *, group_shared: bool = False
) -> RestoreResult:
    """Replace the live database with a backup, refused while anyone else is connected.

    The replaced contents are kept beside it as ``<name>.replaced-YYYYMMDD-HHMMSS``. The restore
    is recorded in the restored database's audit log.
    """
    live = _live_path()
    source = source.expanduser().absolute()
    if not source.is_file():
        raise NotFoundError(_("No backup file {path}").format(path=source))
    if _is_live_file(source, live):
        raise ValidationError(_("{path} is the live database itself").format(path=source))
    _validate_backup(source)
    keep_path = _keep_path(live)
    database.close_database()
    try:
        kept = backend_maintenance.restore_sqlite(
            live, source, keep_path, sqlite.file_mode(group_shared)
        )
    except peewee.OperationalError as error:
        if not backend.is_busy_error(error):
            raise
        raise ConflictError(
            _("Others are using the database: {who}. Ask them to quit psm, then try again").format(
                who=connected_text(live, _("another connection of this process"))
            )
        ) from error
    keep = keep_path if kept else None
    pending = database.pending_migrations()
    audit.record(
        actor or os_username(),
        "db.restore",
        "database",
        None,
        detail=encode(fact("restore", source=str(source), keep=str(keep or "-"))),
        chained="0008_audit_hash_chain" not in pending,  # an older backup: hashed on migrating
    )
    return RestoreResult(source, keep, Case.select().count(), pending)
