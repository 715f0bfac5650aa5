"""The benchmark databases in PostgreSQL: the same rows as :mod:`bench.generate`, loaded by COPY.

The rows come from :class:`bench.generate.Generator` itself (same size and seed, same rows): it
writes through a small connection adapter whose ``executemany`` is a ``COPY ... FROM STDIN``.
The schema is the real one (``open_database`` + ``setup.initialise``, every migration and its
triggers). For the load the secondary indexes and the search index are dropped and the search
trigger disabled, the foreign keys dropped; all are rebuilt after from their own SQL, then
VACUUM ANALYZE. The ``meta`` rows ``bench_*`` are written in the load's transaction, so a
database holding them is complete.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlparse

from bench.generate import SIZES, Generator, audit_stamp, meta_rows
from psm_tui.core import reference, setup, users
from psm_tui.store import database, drivers

DEFAULT_URL = "postgresql://psm_ci:psm_ci@127.0.0.1:5432/psm_ci"
LOADED = ("client", "case", "assignment", "activity", "follow_up")
# The search document, as migration 0007's trigger writes it for each case.
SEARCH_FILL = (
    "INSERT INTO case_search (id, doc) SELECT c.id, to_tsvector('simple',"
    " psm_search_text(c.number, cl.name, c.description))"
    ' FROM "case" AS c JOIN client AS cl ON cl.id = c.client_id'
)
_INSERT = re.compile(r"INSERT (?:OR (IGNORE|REPLACE) )?INTO (\S+) \(([^)]*)\)", re.S)


def admin_url() -> str:
    return os.environ.get("PSM_BENCH_DATABASE_URL") or DEFAULT_URL


def database_name(size: str, seed: int = 1) -> str:
    return f"psm_bench_{size}" + (f"_seed{seed}" if seed != 1 else "")


def database_url(size: str, seed: int = 1, url: str | None = None) -> str:
    """``url`` (the server to use, any database on it) pointed at the bench database."""
    parsed = urlparse(url or admin_url())
    return parsed._replace(path="/" + database_name(size, seed)).geturl()


class CopyConnection:
    """What :class:`Generator` needs of a ``sqlite3`` connection, on psycopg: its inserts
    become COPY (``OR IGNORE``/``OR REPLACE`` through a staging table), its reads run as is."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[object] = ()) -> Iterator[tuple[Any, ...]]:
        return iter(self.conn.execute(sql.replace("?", "%s"), params).fetchall())

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        match = _INSERT.match(sql)
        if match is None:
            raise ValueError(f"not an insert: {sql}")
        conflict, table, columns = match.groups()
        target = table
        if conflict:
            target = "bench_staging"
            self.conn.execute(  # no defaults: a serial's would draw from the table's sequence
                f"CREATE TEMP TABLE {target} AS SELECT {columns} FROM {table} WITH NO DATA"
            )
        with self.conn.cursor().copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if conflict:
            names = [c.strip() for c in columns.split(",")]
            action = "NOTHING"
            if conflict == "REPLACE":  # keyed by its first column (case_counter's year)
                updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in names[1:])
                action = f"UPDATE SET {updates}"
                target_key = f"({names[0]})"
            else:
                target_key = ""
            self.conn.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {target}"
                f" ON CONFLICT {target_key} DO {action}"
            )
            self.conn.execute(f"DROP TABLE {target}")


def psycopg() -> Any:
    """psycopg, which psm hides from peewee's first import (psm_tui/store/drivers.py)."""
    module = drivers.load_psycopg()
    if module is None:
        raise SystemExit("PostgreSQL bench: psycopg is not installed")
    return module


def _connect(url: str, **kwargs: Any) -> Any:
    return psycopg().connect(url, **kwargs)


def complete(url: str, total: int, seed: int) -> bool:
    """Whether the database at ``url`` exists and holds a whole load of this generator."""
    try:
        with _connect(url) as conn:
            found = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except psycopg().Error:
        return False
    return all(found.get(k) == v for k, v in meta_rows(total, seed))


def _recreate(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    with _connect(admin_url_for(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def admin_url_for(url: str) -> str:
    """The server's maintenance database, to create or drop ``url``'s database from."""
    return urlparse(url)._replace(path="/postgres").geturl()


@contextlib.contextmanager
def work_copy(source: str) -> Iterator[str]:
    """The URL of a throw-away copy of the database at ``source`` (``<name>_work``, by
    ``CREATE DATABASE ... TEMPLATE``), dropped afterwards, also on an error or Ctrl-C: a bench
    that writes leaves the shared bench database as generated. The server copies a template only
    while nobody else is connected to it: every connection to ``source`` must be closed first."""
    name = urlparse(source).path.lstrip("/")
    copy = f"{name}_work"
    with _connect(admin_url_for(source), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')  # a killed run's
        try:
            conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
        except psycopg().errors.ObjectInUse as error:
            raise SystemExit(f"cannot copy {name}: another session is connected to it") from error
    try:
        yield urlparse(source)._replace(path=f"/{copy}").geturl()
    finally:
        with _connect(admin_url_for(source), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


def bench_work_copy(
    size: str, seed: int = 1, url: str | None = None
) -> contextlib.AbstractContextManager[str]:
    """:func:`work_copy` of the complete bench database of ``size`` on the server ``url``."""
    source = database_url(size, seed, url)
    if not complete(source, SIZES[size], seed):
        raise SystemExit(
            f"{database_name(size, seed)} is missing or incomplete: run"
            f" python -m bench generate --backend postgresql --size {size}"
        )
    return work_copy(source)


def _initialise(url: str) -> tuple[list[Any], list[Any]]:
    original = users.os_username
    users.os_username = lambda: os.environ.get("PSM_BENCH_ADMIN") or original()  # type: ignore[method-assign]
    try:
        database.open_database(url)
        setup.initialise("Bench Admin")
        return reference.all_kelurahan(), reference.all_kecamatan()
    finally:
        database.close_database()
        users.os_username = original  # type: ignore[method-assign]


def _load(conn: Any, total: int, seed: int, kelurahan: list[Any], kecamatan: list[Any]) -> None:
    tables = ", ".join(f"'{t}'" for t in LOADED)
    indexes = conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes AS i"
        f" WHERE i.schemaname = 'public' AND (i.tablename IN ({tables})"
        " OR i.indexname = 'case_search_doc') AND NOT EXISTS (SELECT 1 FROM pg_constraint AS k"
        " WHERE k.conname = i.indexname)"
    ).fetchall()
    # Foreign keys too: one validating join per key after the load, not a lookup per row.
    keys = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND conrelid IN (SELECT oid FROM pg_class"
        " WHERE relname = ANY(%s) AND relnamespace = 'public'::regnamespace)",
        (list(LOADED),),
    ).fetchall()
    for table, name, _definition in keys:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute('ALTER TABLE "case" DISABLE TRIGGER case_search_case')
    Generator(CopyConnection(conn), total, seed, kelurahan, kecamatan).fill(progress=True)
    conn.execute('ALTER TABLE "case" ENABLE TRIGGER case_search_case')
    conn.execute(SEARCH_FILL)
    for _name, sql in indexes:
        conn.execute(sql)
    for table, name, definition in keys:
        conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for table in ("client", "case"):  # rows given their ids: the sequences follow
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
            f' (SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'
        )
    conn.cursor().executemany(
        "INSERT INTO meta (key, value) VALUES (%s, %s)"
        " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        meta_rows(total, seed),
    )
    stamp = audit_stamp(
        conn.execute("SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone(),
        total,
        seed,
    )
    conn.execute(  # chained like every audit row (core/audit_chain.py)
        "INSERT INTO audit_log (id, at, username, action, entity, entity_id, case_number,"
        " changes, detail, row_hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        stamp,
    )
    conn.execute("SELECT setval(pg_get_serial_sequence('audit_log', 'id'), %s)", (stamp[0],))


def generate(url: str, total: int, seed: int = 1) -> str:
    """(Re)create the database at ``url`` holding ``total`` generated cases."""
    _recreate(url)
    kelurahan, kecamatan = _initialise(url)
    with _connect(url) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        _load(conn, total, seed, kelurahan, kecamatan)
    with _connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # statistics, and the visibility map index-only scans need
    return url


def ensure(
    size: str, seed: int = 1, url: str | None = None, progress: bool = True, force: bool = False
) -> str:
    """The URL of the bench database of ``size`` (generated when missing, incomplete or
    ``force``), with pending migrations applied."""
    target = database_url(size, seed, url)
    if force or not complete(target, SIZES[size], seed):
        started = time.monotonic()
        generate(target, SIZES[size], seed)
        if progress:
            print(
                f"  generated {database_name(size, seed)} in {time.monotonic() - started:.1f} s",
                file=sys.stderr,
            )
    database.open_database(target)
    try:
        if database.pending_migrations():
            database.migrate()
            with database.db.connection_context():
                database.db.execute_sql("ANALYZE")
    finally:
        database.close_database()
    return target
