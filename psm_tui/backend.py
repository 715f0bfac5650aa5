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
from collections.abc import Callable
from pathlib import Path

import peewee

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
    """The user-facing error for a write that waited the whole busy timeout."""
    from psm_tui.i18n import _
    from psm_tui.services.errors import BusyError

    return BusyError(_("The database is busy (a colleague is saving); try again."))


class _PsmDatabase:
    """What every psm connection adds to Peewee's database classes.

    A "database is locked" after the busy timeout becomes ``BusyError`` (a PsmError with a clear
    message), and ``run_after_transaction`` holds writes that must land whatever happens to the
    transaction in progress (the audit row of a refused action) until it has ended.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        self._psm_local = threading.local()
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]

    def _pending(self) -> list[Callable[[], None]]:
        local = self._psm_local
        if not hasattr(local, "pending"):
            local.pending = []
        return local.pending

    def run_after_transaction(self, fn: Callable[[], None]) -> None:
        if self.in_transaction():  # type: ignore[attr-defined]
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
            return super().execute_sql(sql, params)  # type: ignore[misc]
        except peewee.OperationalError as error:
            if is_busy_error(error):
                raise busy_error() from error
            raise

    def begin(self, *args: object, **kwargs: object) -> None:
        try:
            super().begin(*args, **kwargs)  # type: ignore[misc]
        except peewee.OperationalError as error:
            if is_busy_error(error):
                raise busy_error() from error
            raise

    def commit(self) -> None:
        try:
            super().commit()  # type: ignore[misc]
        except peewee.OperationalError as error:
            if is_busy_error(error):
                raise busy_error() from error
            raise
        self._flush_pending()

    def rollback(self) -> None:
        try:
            super().rollback()  # type: ignore[misc]
        finally:
            self._flush_pending()


class PsmSqliteDatabase(_PsmDatabase, peewee.SqliteDatabase):
    """SQLite with the psm additions, and fair waiting for the write lock.

    SQLite's own busy handler backs off to 100 ms naps, so with many writers a process that has
    waited a while keeps losing the lock to newcomers and can starve. Here ``BEGIN IMMEDIATE`` is
    retried with short random naps instead, so every waiter polls equally often. The busy timeout
    (5 s) counts from the last time anyone committed: a busy but moving database makes a save
    wait longer (up to ``_PATIENCE`` timeouts), a writer that holds the lock and never finishes
    makes it fail with ``BusyError`` after the timeout. A write outside a transaction (the audit
    row of a view) gets its own transaction so that it waits the same way.
    """

    def execute_sql(self, sql: str, params: object = None) -> object:
        if _WRITE.match(sql) and not self.in_transaction():
            with self.atomic():
                return super().execute_sql(sql, params)
        return super().execute_sql(sql, params)

    def begin(self, *args: object, **kwargs: object) -> None:
        conn = self.connection()
        timeout = int(dict(self._pragmas).get("busy_timeout", 5000)) / 1000
        start = time.monotonic()
        deadline, seen = start + timeout, conn.execute("PRAGMA data_version").fetchone()[0]
        conn.execute(f"PRAGMA busy_timeout = {min(_BEGIN_POLL_MS, int(timeout * 1000))}")
        try:
            while True:
                try:
                    peewee.SqliteDatabase.begin(self, *args, **kwargs)  # type: ignore[arg-type]
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
    """PostgreSQL with the psm additions."""


def run_after_transaction(database: peewee.Database, fn: Callable[[], None]) -> None:
    """Run ``fn`` now, or once the current transaction has committed or rolled back."""
    if isinstance(database, _PsmDatabase):
        database.run_after_transaction(fn)
    else:
        fn()


def sqlite_database(path: Path, *, group_shared: bool = False) -> peewee.SqliteDatabase:
    ensure_private_file(path, group_shared=group_shared)
    return PsmSqliteDatabase(
        str(path), lock_type="IMMEDIATE", pragmas=SQLITE_PRAGMAS, check_same_thread=False
    )


def postgresql_database(url: str) -> peewee.Database:
    from playhouse.db_url import parse

    return PsmPostgresqlDatabase(**parse(url))


def is_sqlite(database: peewee.Database) -> bool:
    return isinstance(database, peewee.SqliteDatabase)


def data_version(database: peewee.Database) -> int:
    """A number that changes when another connection commits (cheap change detection)."""
    if is_sqlite(database):
        return int(database.execute_sql("PRAGMA data_version").fetchone()[0])
    row = database.execute_sql("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()
    return int(row[0])


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
        return database.execute_sql(sql).fetchone()[0] == 2
    sql = "SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'audit_log_append_only'"
    return database.execute_sql(sql).fetchone()[0] == 1


# --- Case search: SQLite FTS5 over client name, case number and description -----------------
# External content: the index reads its text from a view over case + client, and triggers on both
# tables keep it in step inside the writing transaction (a client's new name reindexes each of
# their cases). Created by migration 0004; the statements are frozen here, so change them only
# through a new migration.

CASE_SEARCH_COLUMNS = ("number", "name", "description")

CASE_SEARCH_CREATE = (
    """CREATE VIEW case_search_source AS
    SELECT c.id AS id, c.number AS number, cl.name AS name, c.description AS description
    FROM "case" AS c JOIN client AS cl ON cl.id = c.client_id""",
    """CREATE VIRTUAL TABLE case_search USING fts5(
    number, name, description,
    content='case_search_source', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE TRIGGER case_search_ai AFTER INSERT ON "case" BEGIN
    INSERT INTO case_search(rowid, number, name, description)
    VALUES (new.id, new.number, (SELECT name FROM client WHERE id = new.client_id),
            new.description);
    END""",
    """CREATE TRIGGER case_search_ad AFTER DELETE ON "case" BEGIN
    INSERT INTO case_search(case_search, rowid, number, name, description)
    VALUES ('delete', old.id, old.number, (SELECT name FROM client WHERE id = old.client_id),
            old.description);
    END""",
    """CREATE TRIGGER case_search_au AFTER UPDATE OF number, client_id, description ON "case"
    BEGIN
    INSERT INTO case_search(case_search, rowid, number, name, description)
    VALUES ('delete', old.id, old.number, (SELECT name FROM client WHERE id = old.client_id),
            old.description);
    INSERT INTO case_search(rowid, number, name, description)
    VALUES (new.id, new.number, (SELECT name FROM client WHERE id = new.client_id),
            new.description);
    END""",
    """CREATE TRIGGER case_search_client_au AFTER UPDATE OF name ON client
    WHEN old.name IS NOT new.name BEGIN
    INSERT INTO case_search(case_search, rowid, number, name, description)
    SELECT 'delete', c.id, c.number, old.name, c.description FROM "case" AS c
    WHERE c.client_id = old.id;
    INSERT INTO case_search(rowid, number, name, description)
    SELECT c.id, c.number, new.name, c.description FROM "case" AS c WHERE c.client_id = new.id;
    END""",
    "INSERT INTO case_search(case_search) VALUES ('rebuild')",
)

CASE_SEARCH_DROP = (
    "DROP TRIGGER IF EXISTS case_search_client_au",
    "DROP TRIGGER IF EXISTS case_search_au",
    "DROP TRIGGER IF EXISTS case_search_ad",
    "DROP TRIGGER IF EXISTS case_search_ai",
    "DROP TABLE IF EXISTS case_search",
    "DROP VIEW IF EXISTS case_search_source",
)


# PostgreSQL keeps the portable ILIKE search and answers it from trigram indexes (pg_trgm:
# contrib, a trusted extension since PostgreSQL 13, so the database owner may install it).
CASE_SEARCH_PG_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS client_name_trgm ON client USING gin (name gin_trgm_ops)",
    'CREATE INDEX IF NOT EXISTS case_number_trgm ON "case" USING gin (number gin_trgm_ops)',
    'CREATE INDEX IF NOT EXISTS case_description_trgm ON "case"'
    " USING gin (description gin_trgm_ops)",
)
CASE_SEARCH_PG_DROP = (
    "DROP INDEX IF EXISTS case_description_trgm",
    "DROP INDEX IF EXISTS case_number_trgm",
    "DROP INDEX IF EXISTS client_name_trgm",
)


def create_case_search(database: peewee.Database) -> None:
    """Create and fill the case search index: FTS5 on SQLite, trigram indexes on PostgreSQL."""
    statements = CASE_SEARCH_CREATE if is_sqlite(database) else CASE_SEARCH_PG_CREATE
    for statement in statements:
        database.execute_sql(statement)


def drop_case_search(database: peewee.Database) -> None:
    statements = CASE_SEARCH_DROP if is_sqlite(database) else CASE_SEARCH_PG_DROP
    for statement in statements:
        database.execute_sql(statement)


def has_case_search(database: peewee.Database) -> bool:
    return is_sqlite(database)


_SEARCH_RUN = re.compile(r'[^\s"()]+')
_SEARCH_OPERATORS = frozenset(("AND", "OR", "NOT"))
_WORD = re.compile(r"\w")


def _prefix(match: re.Match[str]) -> str:
    word = match.group()
    if word in _SEARCH_OPERATORS or word.endswith(("*", ":")) or not _WORD.search(word):
        return word
    return word + "*"


def case_search_query(text: str) -> str:
    """A search box's text as a safe FTS5 query: every bare word a prefix, "quoted" phrases
    exact, -word excluded, OR allowed. Never raises, whatever the punctuation."""
    from playhouse.fts_parser import parse

    chunks = text.split('"')
    chunks[::2] = [_SEARCH_RUN.sub(_prefix, chunk) for chunk in chunks[::2]]
    return parse('"'.join(chunks), CASE_SEARCH_COLUMNS)


# Above this many hits, walking the list's ordering index and testing membership beats fetching
# every hit's row to sort it (measured: bench/README.md).
BROAD_SEARCH = 2000
_MATCH = "SELECT rowid FROM case_search WHERE case_search MATCH ?"


def case_search_condition(case_id: peewee.Field, text: str) -> peewee.Expression:
    """``case.id`` among the cases matching ``text``.

    A narrow search looks its few rows up by primary key; a broad one hides the key from the
    planner (``id + 0``) so SQLite walks the ordering index and stops after one page."""
    query = case_search_query(text)
    ids = peewee.SQL(f"({_MATCH})", (query,))
    database = case_id.model._meta.database
    hits = database.execute_sql(
        f"SELECT count(*) FROM ({_MATCH} LIMIT ?)", (query, BROAD_SEARCH + 1)
    ).fetchone()[0]
    return (case_id + 0).in_(ids) if hits > BROAD_SEARCH else case_id.in_(ids)


def case_search_count(database: peewee.Database, text: str) -> int:
    """How many cases match ``text``: the index holds exactly one row per case."""
    query = case_search_query(text)
    return int(database.execute_sql(f"SELECT count(*) FROM ({_MATCH})", (query,)).fetchone()[0])
