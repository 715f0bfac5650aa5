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
