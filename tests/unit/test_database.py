"""Database locations, the private file mode, migrations and the schema check."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import peewee
import pytest

from psm_tui.core import setup
from psm_tui.core.errors import SchemaError
from psm_tui.store import database
from psm_tui.store.backend import dialect_of
from psm_tui.store.dialects import postgresql, sqlite
from psm_tui.store.models import ALL_MODELS


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("app.db", ("sqlite", "app.db")),
        ("/srv/psm/app.db", ("sqlite", "/srv/psm/app.db")),
        ("sqlite:///app.db", ("sqlite", "app.db")),
        ("sqlite:////srv/psm/app.db", ("sqlite", "/srv/psm/app.db")),
        ("sqlite:///my%20cases.db", ("sqlite", "my cases.db")),
        ("postgresql://psm@db/psm", ("postgresql", "postgresql://psm@db/psm")),
    ],
)
def test_accepted_locations(location: str, expected: tuple[str, str]) -> None:
    assert database.parse_location(location) == expected


def test_home_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert database.parse_location("~/x.db") == ("sqlite", str(tmp_path / "x.db"))


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("sqlite://app.db", "Invalid SQLite URL"),
        ("sqlite:///:memory:", "in-memory"),
        ("sqlite:///", "in-memory"),
        ("mysql://x/y", "Unsupported database URL"),
        ("  ", "No database given"),
    ],
)
def test_refused_locations(location: str, message: str) -> None:
    with pytest.raises(database.DatabaseUrlError, match=message):
        database.parse_location(location)


def test_two_slash_url_is_refused_before_anything_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(database.DatabaseUrlError):
        database.open_database("sqlite://x.db")
    assert list(tmp_path.iterdir()) == []


def test_new_database_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "psm.db"
    database.open_database(str(path))
    setup.initialise("Admin")
    for file in [path, *tmp_path.glob("sub/psm.db-*")]:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


def test_group_shared_database_is_0660(tmp_path: Path) -> None:
    path = tmp_path / "psm.db"
    database.open_database(str(path), group_shared=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o660


@pytest.mark.sqlite_only
def test_sqlite_is_wal_with_foreign_keys_and_immediate_writes(initialised: Path) -> None:
    db = database.db.obj
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000
    with db.atomic():  # BEGIN IMMEDIATE: the write lock is taken before anything is written
        other = sqlite3.connect(initialised, timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_opening_a_location_chooses_its_dialect_once(db_path: Path) -> None:
    opened = database.open_database(str(db_path))
    kind, _ = database.parse_location(str(db_path))
    expected = sqlite.DIALECT if kind == "sqlite" else postgresql.DIALECT
    assert dialect_of(opened) is expected
    assert dialect_of(database.db) is expected  # through the proxy the models use


def test_a_database_not_opened_by_psm_has_no_dialect(tmp_path: Path) -> None:
    """No guessing from peewee's class: only a psm connection knows its dialect."""
    with pytest.raises(TypeError, match="not a psm database"):
        dialect_of(peewee.SqliteDatabase(str(tmp_path / "plain.db")))


def test_migrations_create_every_model_table(initialised: Path) -> None:
    tables = set(database.db.get_tables())
    assert {model._meta.table_name for model in ALL_MODELS} <= tables
    assert database.pending_migrations() == []


def test_schema_check_says_what_to_run(db_path: Path) -> None:
    database.open_database(str(db_path))
    with pytest.raises(SchemaError, match="psm init"):
        setup.check_schema()
    setup.initialise()
    setup.check_schema()
