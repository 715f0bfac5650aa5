"""The PostgreSQL dialect: the only module that writes PostgreSQL's SQL.

Writers take turns through a transaction-scoped advisory lock on the audit chain; the case search
is a ``tsvector`` table with a GIN index (migration 0007); psycopg is imported only when a
``postgresql://`` database is opened (:mod:`psm_tui.store.drivers`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import peewee

from psm_tui.store import search
from psm_tui.store.backend import PsmDatabase
from psm_tui.store.dialects import Dialect
from psm_tui.store.errors import DatabaseUnreachable, DriverMissing

# --- The audit log is append-only, enforced by triggers ---------------------------------------

_AUDIT_GUARD = (
    "CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()",
)
_AUDIT_UNGUARD = (
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_refuse_change()",
)

# --- The audit hash chain: one appender at a time ----------------------------------------------
# Each audit row's hash covers the row before it and its id is the previous id + 1, so appenders
# must take turns from reading the head to committing. A transaction-scoped advisory lock, taken
# at BEGIN (PsmPostgresqlDatabase.begin): taken first, it can never be part of a deadlock with the
# row locks a transaction takes later, and almost every write transaction appends an audit row.

_AUDIT_CHAIN_LOCK = 0x70736D5F61756474  # b"psm_audt": one key for every psm database

# --- Case search: one tsvector per case --------------------------------------------------------
# The document each case's row must hold; migration 0007 holds the triggers that write it.

_DOCUMENT = "to_tsvector('simple', psm_search_text({number}, {name}, {description}))"
_TSQUERY = "to_tsquery('simple', lower(unaccent('unaccent'::regdictionary, %s)))"
_MATCH = f"SELECT id FROM case_search WHERE doc @@ {_TSQUERY}"
BROAD_SEARCH = 2000  # hits beyond which a page walks the ordering index (as on SQLite)
_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_ALNUM = re.compile(r"[^\W_]+")
_COLUMN_PREFIX = re.compile(rf"^(?:{'|'.join(search.COLUMNS)}):")


def case_search_tsquery(text: str) -> str | None:
    """A search box's text as ``to_tsquery`` text, read as the SQLite dialect reads it: every
    bare word a prefix, "quoted" phrases exact, -word excluded, OR allowed.

    Only runs of letters and digits reach the query (joined by its operators), so no input can
    make it fail; ``None`` when nothing searchable is left."""
    terms: list[str] = []
    joiner, negate_next = " & ", False
    for minus, phrase, bare in _TERM.findall(text):
        if bare in search.OPERATORS:
            joiner = " | " if bare == "OR" else " & "
            negate_next = bare == "NOT"
            continue
        if bare:
            minus, bare = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
            words = _ALNUM.findall(_COLUMN_PREFIX.sub("", bare))
            if words:
                words[-1] += ":*"
        else:
            words = _ALNUM.findall(phrase)
        if not words:
            continue
        term = "(" + " <-> ".join(words) + ")"
        if minus or negate_next:
            term = "!" + term
        terms.append((joiner if terms else "") + term)
        joiner, negate_next = " & ", False
    return "".join(terms) or None


# JIT compiles a plan to machine code once its estimated cost passes jit_above_cost (a deep page
# before migration 0017, a count over a kecamatan); on psm's short queries compiling costs more
# than it saves (a 22 ms count at 1M cases: 85 ms with JIT; bench/notes/pgbench.md). Added
# after the URL's own options, which therefore cannot undo it.
SESSION_OPTIONS = "-c jit=off"


def _broad(database: peewee.Database, query: str, broad: int) -> bool:
    """Whether ``query`` has more than ``broad`` hits (counting stops there)."""
    sql = f"SELECT count(*) FROM ({_MATCH} LIMIT %s) AS hits"
    return bool(database.execute_sql(sql, (query, broad + 1)).fetchone()[0] > broad)


def unreachable_error(error: BaseException) -> Exception:
    """libpq's reason (already clear: refused, wrong password, no such database) on one line."""
    reason = " ".join(str(error).split()).removeprefix("connection failed: ")
    return DatabaseUnreachable(reason)


class PostgresqlDialect:
    """PostgreSQL's side of :class:`psm_tui.store.dialects.Dialect`."""

    name = "postgresql"

    def open(self, target: str, *, group_shared: bool, allow_exposed: bool) -> peewee.Database:
        """``group_shared`` and ``allow_exposed`` are about files: the server guards its own."""
        from playhouse.db_url import parse

        from psm_tui.store import drivers

        if drivers.load_psycopg() is None:
            raise DriverMissing()
        params = parse(target)
        params["options"] = f"{params.get('options', '')} {SESSION_OPTIONS}".strip()
        return PsmPostgresqlDatabase(**params)

    def database_file(self, database: peewee.Database) -> Path | None:
        return None

    def data_version(self, database: peewee.Database) -> int:
        """The head of the audit log: every committed write appends to it."""
        row = database.execute_sql("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()
        return int(row[0])

    def sync_id_sequence(self, database: peewee.Database, table: str) -> None:
        database.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
            f' (SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'
        )

    def install_audit_guard(self, database: peewee.Database) -> None:
        for sql in _AUDIT_GUARD:
            database.execute_sql(sql)

    def remove_audit_guard(self, database: peewee.Database) -> None:
        for sql in _AUDIT_UNGUARD:
            database.execute_sql(sql)

    def audit_guard_installed(self, database: peewee.Database) -> bool:
        sql = "SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'audit_log_append_only'"
        return bool(database.execute_sql(sql).fetchone()[0] == 1)

    def lock_audit_chain(self, database: peewee.Database) -> None:
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_AUDIT_CHAIN_LOCK,))

    def audit_chain_appended(self, database: peewee.Database, last_id: int) -> None:
        """Keep the id sequence past the chain, so that an insert by id default (psql, a test)
        cannot collide."""
        database.execute_sql(
            "SELECT setval(pg_get_serial_sequence('audit_log', 'id'), %s)", (last_id,)
        )

    def case_search_in_step(self, database: peewee.Database) -> bool:
        document = _DOCUMENT.format(number="c.number", name="cl.name", description="c.description")
        sql = f"""SELECT count(*) FROM "case" AS c JOIN client AS cl ON cl.id = c.client_id
        FULL JOIN case_search AS s ON s.id = c.id WHERE s.doc IS DISTINCT FROM {document}"""
        return bool(database.execute_sql(sql).fetchone()[0] == 0)

    def case_search_condition(
        self,
        database: peewee.Database,
        case_id: peewee.Field,
        text: str,
        walk_order: bool,
        spread: int = 1,
    ) -> peewee.Expression:
        """The hits through the GIN index; for a page in an index's order (``walk_order``) the
        plan is chosen here by counting the hits up to BROAD_SEARCH. A narrow search's hits are
        fetched as an array and sorted; a broad one tests each row, so that the page walks the
        ordering index and stops after one page. The planner misjudges both from its estimates:
        it takes the words of a phrase ("kursi roda") as independent and expects ~25x fewer hits
        than there are, so it fetched and sorted 37,886 rows (196 ms at 1M), and it walked 19,000
        rows of the ordering index for 50 of 568 hits of "siman" (75 ms at 100k;
        bench/notes/pgbench.md). A count keeps the GIN lookup: the test on each row of a filter
        would cost over a second. Within a kecamatan (``spread`` 13) a walk tests ~13 times more
        rows for its page, each ~20 us here: "broad" starts at BROAD_SEARCH x spread², so an
        operator's page fetches the hits (1M, loaded: "mayas" 1.09 s -> 44 ms, "kursi roda"
        1.16 s -> 0.34 s)."""
        query = case_search_tsquery(text)
        if query is None:
            return case_id.in_([])
        if not walk_order:
            return case_id.in_(peewee.SQL(f"({_MATCH})", (query,)))
        if not _broad(database, query, BROAD_SEARCH * spread * spread):
            # an array, which the planner cannot turn into a join
            return peewee.Expression(case_id, "=", peewee.SQL(f"ANY(ARRAY({_MATCH}))", (query,)))
        doc = peewee.NodeList(
            (peewee.SQL("(SELECT doc FROM case_search AS s WHERE s.id ="), case_id, peewee.SQL(")"))
        )
        return peewee.Expression(doc, "@@", peewee.SQL(_TSQUERY, (query,)))

    def case_search_count(self, database: peewee.Database, text: str) -> int:
        query = case_search_tsquery(text)
        if query is None:
            return 0
        sql = f"SELECT count(*) FROM ({_MATCH}) AS hits"
        return int(database.execute_sql(sql, (query,)).fetchone()[0])

    def unindexed(self, field: peewee.Field) -> peewee.Node:
        """PostgreSQL plans by its statistics: the field is left as it is."""
        return field

    def lock_against_inserts(self, database: peewee.Database, *tables: str) -> None:
        """Readers are not held up, only other inserts."""
        names = ", ".join(f'"{table}"' for table in tables)
        database.execute_sql(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")

    @contextlib.contextmanager
    def batch_checkpoints(self, database: peewee.Database) -> Iterator[None]:
        """Nothing to do: the server checkpoints on its own."""
        yield

    def checkpoint(self, database: peewee.Database) -> None:
        """Nothing to do (see :meth:`batch_checkpoints`)."""

    @contextlib.contextmanager
    def case_search_suspended(self, database: peewee.Database, last_case_id: int) -> Iterator[None]:
        """Nothing is suspended: each new case is indexed by its own row trigger."""
        yield

    def days_between(self, start: peewee.Field, end: peewee.Field) -> peewee.Node:
        return end.cast("date") - start.cast("date")


DIALECT: Dialect = PostgresqlDialect()


class PsmPostgresqlDatabase(PsmDatabase, peewee.PostgresqlDatabase):
    """PostgreSQL with the psm additions; a server that cannot be reached is a clear error.

    Every transaction starts by taking the audit chain's lock, which makes writers take turns as
    ``BEGIN IMMEDIATE`` does on SQLite.
    """

    dialect = DIALECT

    def connect(self, reuse_if_open: bool = False) -> bool:
        try:
            return super().connect(reuse_if_open)
        except peewee.OperationalError as error:
            raise unreachable_error(error) from error

    def begin(self, *args: object, **kwargs: object) -> None:
        super().begin(*args, **kwargs)
        DIALECT.lock_audit_chain(self)
