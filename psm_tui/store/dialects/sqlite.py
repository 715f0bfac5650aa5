"""The SQLite dialect: the only module that writes SQLite's SQL (with :mod:`..maintenance`, the
SQLite-only backup and checks).

A database is one private file beside its ``-wal``/``-shm`` files; writers take turns through
``BEGIN IMMEDIATE``; the case search is an FTS5 table.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import stat
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import peewee

from psm_tui.i18n import _
from psm_tui.store import search
from psm_tui.store.backend import PsmDatabase, busy_error, is_busy_error
from psm_tui.store.dialects import Dialect
from psm_tui.store.errors import InsecureDatabaseError

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


# --- The database's files --------------------------------------------------------------------


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


# --- The audit log is append-only, enforced by triggers ---------------------------------------
# A migration that rebuilds audit_log (SQLite ALTER by copy) must install the guard again.

_AUDIT_GUARD = (
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)
_AUDIT_UNGUARD = (
    "DROP TRIGGER IF EXISTS audit_log_no_update",
    "DROP TRIGGER IF EXISTS audit_log_no_delete",
)
_AUDIT_GUARD_COUNT = (
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
    " AND name IN ('audit_log_no_update', 'audit_log_no_delete')"
)


# --- Case search: FTS5 over client name, case number and description -------------------------
# External content: the index reads its text from a view over case + client, and triggers on both
# tables keep it in step inside the writing transaction (a client's new name reindexes each of
# their cases). Created by migration 0004, which holds its own frozen copy; a change here must
# come with a new migration.

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


def create_case_search(database: peewee.Database) -> None:
    """Build the FTS5 index afresh (the bench drops it for a bulk load)."""
    for statement in CASE_SEARCH_CREATE:
        database.execute_sql(statement)


def drop_case_search(database: peewee.Database) -> None:
    for statement in CASE_SEARCH_DROP:
        database.execute_sql(statement)


_SEARCH_RUN = re.compile(r'[^\s"()]+')
_WORD = re.compile(r"\w")


def _prefix(match: re.Match[str]) -> str:
    word = match.group()
    if word in search.OPERATORS or word.endswith(("*", ":")) or not _WORD.search(word):
        return word
    return word + "*"


def case_search_query(text: str) -> str:
    """A search box's text as a safe FTS5 query: every bare word a prefix, "quoted" phrases
    exact, -word excluded, OR allowed. Never raises, whatever the punctuation."""
    from playhouse.fts_parser import parse

    chunks = text.split('"')
    chunks[::2] = [_SEARCH_RUN.sub(_prefix, chunk) for chunk in chunks[::2]]
    return str(parse('"'.join(chunks), search.COLUMNS))


# Above this many hits, walking the list's ordering index and testing membership beats fetching
# every hit's row to sort it (measured: bench/README.md).
BROAD_SEARCH = 2000
_MATCH = "SELECT rowid FROM case_search WHERE case_search MATCH ?"

# The bulk load suspends the per-row insert trigger (see psm_tui.store.bulk).
_INSERT_TRIGGER = "case_search_ai"
_INSERT_TRIGGER_SQL = next(s for s in CASE_SEARCH_CREATE if f"TRIGGER {_INSERT_TRIGGER} " in s)


class SqliteDialect:
    """SQLite's side of :class:`psm_tui.store.dialects.Dialect`."""

    name = "sqlite"

    def open(self, target: str, *, group_shared: bool, allow_exposed: bool) -> peewee.Database:
        """A file that every user of the server can read is refused (UU PDP: the data is
        "specific" personal data); ``allow_exposed`` only for ``psm check``, which reports it."""
        path = Path(target)
        exposed = exposed_files(path)
        if exposed and not allow_exposed:
            raise InsecureDatabaseError(
                _(
                    "{path} is open to every user of this server; fix it with: chmod {mode} {files}"
                ).format(
                    path=target,
                    mode="660" if group_shared else "600",
                    files=" ".join(str(p) for p in exposed),
                )
            )
        ensure_private_file(path, group_shared=group_shared)
        return PsmSqliteDatabase(
            str(path), lock_type="IMMEDIATE", pragmas=SQLITE_PRAGMAS, check_same_thread=False
        )

    def database_file(self, database: peewee.Database) -> Path | None:
        return Path(database.database)

    def data_version(self, database: peewee.Database) -> int:
        return int(database.execute_sql("PRAGMA data_version").fetchone()[0])

    def sync_id_sequence(self, database: peewee.Database, table: str) -> None:
        """Nothing to do: SQLite always takes the largest rowid plus one."""

    def install_audit_guard(self, database: peewee.Database) -> None:
        for sql in _AUDIT_GUARD:
            database.execute_sql(sql)

    def remove_audit_guard(self, database: peewee.Database) -> None:
        for sql in _AUDIT_UNGUARD:
            database.execute_sql(sql)

    def audit_guard_installed(self, database: peewee.Database) -> bool:
        return bool(database.execute_sql(_AUDIT_GUARD_COUNT).fetchone()[0] == 2)

    def lock_audit_chain(self, database: peewee.Database) -> None:
        """Nothing to do: a write transaction is ``BEGIN IMMEDIATE``, the one write lock."""

    def audit_chain_appended(self, database: peewee.Database, last_id: int) -> None:
        """Nothing to do: SQLite takes max(rowid) + 1."""

    def case_search_in_step(self, database: peewee.Database) -> bool:
        try:
            database.execute_sql(
                "INSERT INTO case_search(case_search, rank) VALUES ('integrity-check', 1)"
            )
        except peewee.DatabaseError:
            return False
        return True

    def case_search_condition(
        self,
        database: peewee.Database,
        case_id: peewee.Field,
        text: str,
        walk_order: bool,
        spread: int = 1,
    ) -> peewee.Expression:
        """A narrow search looks its few rows up by primary key; a broad one hides the key from
        the planner (``id + 0``) so SQLite walks the ordering index and stops after one page
        (a count, ``walk_order`` false, takes the same path: it costs SQLite nothing more).
        Within a kecamatan (``spread`` 13) the walk is 13 times longer, so "broad" starts 13
        times higher: an operator's "mayas" (5,658 hits at 1M) 218 -> 73 ms."""
        query = case_search_query(text)
        ids = peewee.SQL(f"({_MATCH})", (query,))
        broad = BROAD_SEARCH * spread
        hits = database.execute_sql(
            f"SELECT count(*) FROM ({_MATCH} LIMIT ?)", (query, broad + 1)
        ).fetchone()[0]
        return (case_id + 0).in_(ids) if hits > broad else case_id.in_(ids)

    def case_search_count(self, database: peewee.Database, text: str) -> int:
        query = case_search_query(text)
        sql = f"SELECT count(*) FROM ({_MATCH})"
        return int(database.execute_sql(sql, (query,)).fetchone()[0])

    def unindexed(self, field: peewee.Field) -> peewee.Node:
        """``+column``: a page ordered by another indexed column walks that index and stops after
        one page, rather than fetching every row of ``field``'s index to sort them (a
        kecamatan's list: 0.9 ms instead of 56 ms at 100k cases)."""
        return peewee.NodeList((peewee.SQL("+"), field), glue="")

    def lock_against_inserts(self, database: peewee.Database, *tables: str) -> None:
        """Nothing to do: the write lock already keeps every other writer out."""

    @contextlib.contextmanager
    def batch_checkpoints(self, database: peewee.Database) -> Iterator[None]:
        """A commit past 1,000 WAL pages checkpoints inside the commit call; a batch of an
        import writes that many, so the importer checkpoints between its batches instead, where
        the time is not counted as holding the lock (a passive checkpoint never blocks writers)."""
        database.execute_sql("PRAGMA wal_autocheckpoint = 0")
        try:
            yield
        finally:
            database.execute_sql("PRAGMA wal_autocheckpoint = 1000")

    def checkpoint(self, database: peewee.Database) -> None:
        database.execute_sql("PRAGMA wal_checkpoint(PASSIVE)")

    @contextlib.contextmanager
    def case_search_suspended(self, database: peewee.Database, last_case_id: int) -> Iterator[None]:
        """The FTS5 insert trigger, fired 100,000 times in one import, costs ~25x the insert
        itself: it is dropped for the block and the new cases indexed in one statement. DDL is
        transactional and no other writer can add a case meanwhile, so no case can miss the
        index, and a rollback restores the trigger with the rest. A no-op without the index."""
        present = database.execute_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (_INSERT_TRIGGER,)
        ).fetchone()
        if not present:
            yield
            return
        database.execute_sql(f"DROP TRIGGER {_INSERT_TRIGGER}")
        try:
            yield
            database.execute_sql(
                "INSERT INTO case_search(rowid, number, name, description) "
                "SELECT id, number, name, description FROM case_search_source WHERE id > ?",
                (last_case_id,),
            )
        finally:
            database.execute_sql(_INSERT_TRIGGER_SQL)

    def days_between(self, start: peewee.Field, end: peewee.Field) -> peewee.Node:
        """Spelled exactly as the expression of the reports' index (see store.reports)."""
        return peewee.fn.julianday(peewee.fn.date(end)) - peewee.fn.julianday(peewee.fn.date(start))


DIALECT: Dialect = SqliteDialect()


# --- The connection --------------------------------------------------------------------------


class PsmSqliteDatabase(PsmDatabase, peewee.SqliteDatabase):
    """SQLite with the psm additions, and fair waiting for the write lock.

    SQLite's own busy handler backs off to 100 ms naps, so with many writers a process that has
    waited a while keeps losing the lock to newcomers and can starve. Here ``BEGIN IMMEDIATE`` is
    retried with short random naps instead, so every waiter polls equally often. The busy timeout
    (5 s) counts from the last time anyone committed: a busy but moving database makes a save
    wait longer (up to ``_PATIENCE`` timeouts), a writer that holds the lock and never finishes
    makes it fail with ``DatabaseBusy`` after the timeout. A write outside a transaction (the audit
    row of a view) gets its own transaction so that it waits the same way.
    """

    dialect = DIALECT

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
