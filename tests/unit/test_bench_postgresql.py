"""The PostgreSQL bench database holds exactly the rows of the SQLite one (same size, same seed),
so the two backends are measured on the same data. No timings here: ``python -m bench run``."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import generate_pg
from bench.generate import generate
from tests.pg_server import URL, PgServer

pytestmark = pytest.mark.skipif(URL is None, reason="PSM_TEST_DATABASE_URL is not set")

# What the generator writes (staff_user also holds the admin that setup creates at today's date).
TABLES = ("worker", "client", "case", "assignment", "activity", "follow_up", "case_counter")


def _text(value: object) -> object:
    """One value as both engines' drivers give it back, in SQLite's spelling."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return value


def digest(rows_of: Any) -> dict[str, str]:
    """A hash of each generated table, read in id (key) order through ``rows_of(sql)``."""
    result = {}
    for table in TABLES:
        key = "year" if table == "case_counter" else "id"
        rows = rows_of(f'SELECT * FROM "{table}" ORDER BY {key}')
        hashed = hashlib.sha256()
        for row in rows:
            hashed.update(repr(tuple(_text(v) for v in row)).encode())
        result[table] = hashed.hexdigest()
    return result


@pytest.fixture
def pg_url() -> Iterator[str]:
    assert URL is not None
    server = PgServer(URL)
    name = server.create()
    try:
        yield server.url_for(name)
    finally:
        server.drop(name)


def test_postgresql_generator_writes_the_sqlite_rows(tmp_path: Path, pg_url: str) -> None:
    path = generate(tmp_path / "bench.db", 500, seed=3, progress=False)
    generate_pg.generate(pg_url, 500, seed=3)
    lite = sqlite3.connect(path)
    try:
        expected = digest(lambda sql: lite.execute(sql).fetchall())
        columns = {t: [r[1] for r in lite.execute(f'PRAGMA table_info("{t}")')] for t in TABLES}
    finally:
        lite.close()
    with generate_pg.psycopg().connect(pg_url) as conn:

        def rows_of(sql: str) -> list[tuple[object, ...]]:
            table = sql.split('"')[1]  # the same columns, in SQLite's order
            names = ", ".join(f'"{c}"' for c in columns[table])
            return list(conn.execute(sql.replace("*", names, 1)).fetchall())

        assert digest(rows_of) == expected
        assert conn.execute('SELECT count(*) FROM "case"').fetchone() == (500,)
        assert conn.execute("SELECT count(*) FROM case_search").fetchone() == (500,)
    assert generate_pg.complete(pg_url, 500, 3)
    assert not generate_pg.complete(pg_url, 500, 4)


SCHEMA = (
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE connamespace = 'public'::regnamespace",
    "SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal",
)


def test_the_load_leaves_the_schema_as_setup_made_it(pg_url: str) -> None:
    """Indexes, foreign keys and the search trigger are all back after the load."""
    generate_pg._recreate(pg_url)
    generate_pg._initialise(pg_url)
    with generate_pg.psycopg().connect(pg_url) as conn:
        made = [sorted(conn.execute(sql).fetchall()) for sql in SCHEMA]
    generate_pg.generate(pg_url, 500, seed=3)
    with generate_pg.psycopg().connect(pg_url) as conn:
        assert [sorted(conn.execute(sql).fetchall()) for sql in SCHEMA] == made


# -- the benches that write run on a work copy -------------------------------------------------
@pytest.fixture(scope="module")
def bench_500() -> Iterator[str]:
    """A small PostgreSQL bench database (500 cases), shared by the tests below, never written."""
    assert URL is not None
    server = PgServer(URL)
    name = server.create()
    try:
        yield generate_pg.generate(server.url_for(name), 500, seed=3)
    finally:
        server.drop(name)


def _count(url: str, sql: str) -> object:
    with generate_pg.psycopg().connect(url) as conn:
        return conn.execute(sql).fetchone()[0]


def _exists(url: str) -> bool:
    name = url.rsplit("/", 1)[1]
    sql = f"SELECT count(*) FROM pg_database WHERE datname = '{name}'"
    return _count(generate_pg.admin_url_for(url), sql) == 1


def test_a_work_copy_is_written_and_dropped_the_source_stays(bench_500: str) -> None:
    with generate_pg.work_copy(bench_500) as copy:
        assert copy != bench_500 and copy.endswith("_work")
        with generate_pg.psycopg().connect(copy) as conn:
            conn.execute('DELETE FROM follow_up WHERE case_id IN (SELECT id FROM "case")')
        assert _count(copy, "SELECT count(*) FROM follow_up") == 0
    assert not _exists(copy)
    assert _count(bench_500, "SELECT count(*) FROM follow_up") != 0
    with pytest.raises(KeyboardInterrupt), generate_pg.work_copy(bench_500) as copy:
        raise KeyboardInterrupt  # Ctrl-C mid-run: the copy still goes
    assert not _exists(copy)


def test_the_office_runs_on_a_work_copy_with_its_import(bench_500: str) -> None:
    from bench import office

    before = _count(bench_500, "SELECT max(id) FROM audit_log")
    with generate_pg.work_copy(bench_500) as copy:
        outcome = office.run_office(
            copy, sessions=2, seconds=120, think=(0.0, 0.01), import_rows=40, max_actions=30
        )
        scoped = office.scoped_logins(copy, office.logins(2))
        assert _count(copy, 'SELECT count(*) FROM "case"') == 540
    assert outcome.failed == []
    assert [s for _login, s in outcome.all() if s[3]] == []
    assert {kind for _login, (_a, kind, *_rest) in outcome.all()} == {"read", "save"}
    assert {login for login, _sample in outcome.all()} == {"dinsos_admin", "kantor_op01"}
    assert scoped == {"kantor_op01"}
    assert outcome.imported is not None
    assert (outcome.imported.code, outcome.imported.imported) == (0, 40), outcome.imported.error
    assert _count(bench_500, "SELECT max(id) FROM audit_log") == before  # the source unwritten


def test_an_import_runs_on_a_work_copy_with_a_colleague(bench_500: str, tmp_path: Path) -> None:
    from bench import imports
    from bench.import_files import write

    path = write(tmp_path / "cases.csv", 300, seed=3)
    with generate_pg.work_copy(bench_500) as copy:
        outcome = imports.measure(copy, 300, path)
    assert outcome.imported == 300
    assert outcome.batches >= 1  # PSM_IMPORT_BATCH_LOG is written on PostgreSQL too
    assert outcome.errors == []
    assert outcome.saves >= 1 and outcome.timed_saves == outcome.saves  # BEGIN + advisory lock
    assert _count(bench_500, 'SELECT count(*) FROM "case"') == 500
