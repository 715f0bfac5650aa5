"""Backend module: the only place that may use SQLite- or PostgreSQL-specific SQL.

Everything else speaks portable Peewee.
"""

from __future__ import annotations

import os
import random
import re
import stat
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import peewee

from psm_tui.store.errors import DatabaseBusy, DatabaseUnreachable, DriverMissing

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 5000,
    "cache_size": -8000,  # 8 MiB per connection: keeps a TUI session under 80 MiB at 1M cases
}


_BEGIN_POLL_MS = 10  # SQLite's own wait per attempt at the write lock (see PsmSqliteDatabase)
_PATIENCE = 6  # the longest wait for the write lock, in busy timeouts, while others commit
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def file_mode(group_shared: bool) -> int:
    return 0o660 if group_shared else 0o600


def ensure_private_file(path: Path, *, group_shared: bool = False) -> None:
    """Create the database file with a private mode before SQLite makes it 0644.

    ``fchmod`` because the umask would turn 0660 into 0640. SQLite gives ``-wal``/``-shm`` the
    mode of the database file, so they come out private too.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, file_mode(group_shared))
        try:
            os.fchmod(fd, file_mode(group_shared))
        finally:
            os.close(fd)


def world_readable(path: Path) -> bool:
    try:
        return bool(path.stat().st_mode & stat.S_IROTH)
    except FileNotFoundError:
        return False


def sidecar_files(path: Path) -> list[Path]:
    """The database file and the ``-wal``/``-shm`` files SQLite keeps beside it."""
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def exposed_files(path: Path) -> list[Path]:
    """Those of the database's files that every user of the server may read or write."""
    exposed = []
    for candidate in sidecar_files(path):
        try:
            mode = candidate.stat().st_mode
        except FileNotFoundError:
            continue
        if mode & (stat.S_IROTH | stat.S_IWOTH):
            exposed.append(candidate)
    return exposed


def busy_error() -> Exception:
    """The error for a write that waited the whole busy timeout (worded by ``core.session``)."""
    return DatabaseBusy()


class _PsmDatabase(peewee.Database):
    """What every psm connection adds to Peewee's database classes.

    A "database is locked" after the busy timeout becomes ``DatabaseBusy``, and
    ``run_after_transaction`` holds writes that must land whatever happens to the
    transaction in progress (the audit row of a refused action) until it has ended.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._psm_local = threading.local()
        super().__init__(*args, **kwargs)

    def _pending(self) -> list[Callable[[], None]]:
        local = self._psm_local
        if not hasattr(local, "pending"):
            local.pending = []
        pending: list[Callable[[], None]] = local.pending
        return pending

    def run_after_transaction(self, fn: Callable[[], None]) -> None:
        if self.in_transaction():
            self._pending().append(fn)
        else:
            fn()

    def _flush_pending(self) -> None:
        pending = self._pending()
        todo, pending[:] = list(pending), []
        for fn in todo:
            fn()

    def execute_sql(self, sql: str, params: object = None) -> object:
        try:
            return super().execute_sql(sql, params)
        except peewee.OperationalError as error:
            if is_busy_error(error):
                raise busy_error() from error
            raise

    def begin(self, *args: object, **kwargs: object) -> None:
        try:
            super().begin(*args, **kwargs)
        except peewee.OperationalError as error:
            if is_busy_error(error):
                raise busy_error() from error
            raise

    def commit(self) -> None:
        try:
            super().commit()
        except peewee.OperationalError as error:
            if is_busy_error(error):
                raise busy_error() from error
            raise
        self._flush_pending()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._flush_pending()


class PsmSqliteDatabase(_PsmDatabase, peewee.SqliteDatabase):
    """SQLite with the psm additions, and fair waiting for the write lock.

    SQLite's own busy handler backs off to 100 ms naps, so with many writers a process that has
    waited a while keeps losing the lock to newcomers and can starve. Here ``BEGIN IMMEDIATE`` is
    retried with short random naps instead, so every waiter polls equally often. The busy timeout
    (5 s) counts from the last time anyone committed: a busy but moving database makes a save
    wait longer (up to ``_PATIENCE`` timeouts), a writer that holds the lock and never finishes
    makes it fail with ``DatabaseBusy`` after the timeout. A write outside a transaction (the audit
    row of a view) gets its own transaction so that it waits the same way.
    """

    def __init__(
        self, database: str, *, pragmas: Mapping[str, object] = SQLITE_PRAGMAS, **kwargs: Any
    ) -> None:
        super().__init__(database, pragmas=pragmas, **kwargs)
        # Seconds; kept here because begin() lowers the connection's own while it polls.
        self.busy_timeout = int(str(pragmas.get("busy_timeout", 5000))) / 1000

    def execute_sql(self, sql: str, params: object = None) -> object:
        if _WRITE.match(sql) and not self.in_transaction():
            with self.atomic():
                return super().execute_sql(sql, params)
        return super().execute_sql(sql, params)

    def begin(self, *args: object, **kwargs: object) -> None:
        conn = self.connection()
        timeout = self.busy_timeout
        start = time.monotonic()
        deadline, seen = start + timeout, conn.execute("PRAGMA data_version").fetchone()[0]
        conn.execute(f"PRAGMA busy_timeout = {min(_BEGIN_POLL_MS, int(timeout * 1000))}")
        try:
            while True:
                try:
                    peewee.SqliteDatabase.begin(self, *args, **kwargs)
                    return
                except peewee.OperationalError as error:
                    if not is_busy_error(error):
                        raise
                    now = time.monotonic()
                    version = conn.execute("PRAGMA data_version").fetchone()[0]
                    if version != seen:  # someone committed: the queue is moving
                        deadline, seen = now + timeout, version
                    if now >= deadline or now >= start + _PATIENCE * timeout:
                        raise busy_error() from error
                time.sleep(random.uniform(0.0005, 0.005))
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")


class PsmPostgresqlDatabase(_PsmDatabase, peewee.PostgresqlDatabase):
    """PostgreSQL with the psm additions; a server that cannot be reached is a clear error.

    Every transaction starts by taking the audit chain's lock (see :func:`lock_audit_chain`),
    which makes writers take turns as ``BEGIN IMMEDIATE`` does on SQLite.
    """

    def connect(self, reuse_if_open: bool = False) -> bool:
        try:
            return super().connect(reuse_if_open)
        except peewee.OperationalError as error:
            raise unreachable_error(error) from error

    def begin(self, *args: object, **kwargs: object) -> None:
        super().begin(*args, **kwargs)
        lock_audit_chain(self)


def unreachable_error(error: BaseException) -> Exception:
    """libpq's reason (already clear: refused, wrong password, no such database) on one line."""
    reason = " ".join(str(error).split()).removeprefix("connection failed: ")
    return DatabaseUnreachable(reason)


def run_after_transaction(database: peewee.Database, fn: Callable[[], None]) -> None:
    """Run ``fn`` now, or once the current transaction has committed or rolled back."""
    if isinstance(database, _PsmDatabase):
        database.run_after_transaction(fn)
    else:
        fn()


def sqlite_database(path: Path, *, group_shared: bool = False) -> peewee.Database:
    ensure_private_file(path, group_shared=group_shared)
    return PsmSqliteDatabase(
        str(path), lock_type="IMMEDIATE", pragmas=SQLITE_PRAGMAS, check_same_thread=False
    )


def postgresql_database(url: str) -> peewee.Database:
    from playhouse.db_url import parse

    from psm_tui.store import drivers

    if drivers.load_psycopg() is None:
        raise DriverMissing()
    return PsmPostgresqlDatabase(**parse(url))


def is_sqlite(database: peewee.Database) -> bool:
    return isinstance(database, peewee.SqliteDatabase)


def data_version(database: peewee.Database) -> int:
    """A number that changes when another connection commits (cheap change detection)."""
    if is_sqlite(database):
        return int(database.execute_sql("PRAGMA data_version").fetchone()[0])
    row = database.execute_sql("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()
    return int(row[0])


def sync_id_sequence(database: peewee.Database, table: str) -> None:
    """Rows were inserted with explicit ids: PostgreSQL's sequence must move past them (SQLite
    always takes the largest rowid plus one)."""
    if is_sqlite(database):
        return
    database.execute_sql(
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
        f' (SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'
    )


def is_busy_error(error: BaseException) -> bool:
    text = str(error).lower()
    return "database is locked" in text or "database is busy" in text


# --- The audit log is append-only, enforced by the database itself ------------------------------
# A migration that rebuilds audit_log (SQLite ALTER by copy) must call install_audit_guard again.

_SQLITE_AUDIT_GUARD = (
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)
_SQLITE_AUDIT_UNGUARD = (
    "DROP TRIGGER IF EXISTS audit_log_no_update",
    "DROP TRIGGER IF EXISTS audit_log_no_delete",
)
_PG_AUDIT_GUARD = (
    "CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()",
)
_PG_AUDIT_UNGUARD = (
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_refuse_change()",
)


def install_audit_guard(database: peewee.Database) -> None:
    """Make the database refuse UPDATE and DELETE (and TRUNCATE) on audit_log."""
    for sql in _SQLITE_AUDIT_GUARD if is_sqlite(database) else _PG_AUDIT_GUARD:
        database.execute_sql(sql)


def remove_audit_guard(database: peewee.Database) -> None:
    for sql in _SQLITE_AUDIT_UNGUARD if is_sqlite(database) else _PG_AUDIT_UNGUARD:
        database.execute_sql(sql)


def audit_guard_installed(database: peewee.Database) -> bool:
    if is_sqlite(database):
        sql = (
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
            " AND name IN ('audit_log_no_update', 'audit_log_no_delete')"
        )
        return bool(database.execute_sql(sql).fetchone()[0] == 2)
    sql = "SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'audit_log_append_only'"
    return bool(database.execute_sql(sql).fetchone()[0] == 1)


# --- The audit hash chain: one appender at a time -------------------------------------------------
# Each audit row's hash covers the row before it and its id is the previous id + 1, so appenders
# must take turns from reading the head to committing. SQLite's write transactions are BEGIN
# IMMEDIATE, which already holds the one write lock. PostgreSQL takes a transaction-scoped
# advisory lock, at BEGIN (PsmPostgresqlDatabase.begin): taken first, it can never be part of a
# deadlock with the row locks a transaction takes later, and almost every write transaction
# appends an audit row anyway.

_AUDIT_CHAIN_LOCK = 0x70736D5F61756474  # b"psm_audt": one key for every psm database


def lock_audit_chain(database: peewee.Database) -> None:
    """Hold the audit chain until the current transaction ends (nothing to do on SQLite)."""
    if not is_sqlite(database):
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_AUDIT_CHAIN_LOCK,))


def audit_chain_appended(database: peewee.Database, last_id: int) -> None:
    """Audit rows are inserted with explicit ids; keep PostgreSQL's sequence past them so that
    an insert by id default (psql, a test) cannot collide (SQLite takes max(rowid) + 1)."""
    if not is_sqlite(database):
        database.execute_sql(
            "SELECT setval(pg_get_serial_sequence('audit_log', 'id'), %s)", (last_id,)
        )
