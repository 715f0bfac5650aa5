"""Migrations are history: self-contained (no live code, so changing psm_tui cannot rewrite
them) and reversible (every ``down`` undoes its ``up`` exactly). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from psm_tui.store import database
from psm_tui.store.dialects import sqlite
from tests.raw_sql import RawSql

MIGRATIONS = sorted(database.migrations_dir().glob("[0-9]*.py"))

_SQLITE_SCHEMA = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
_PG_OWN_FUNCTIONS = """pronamespace = 'public'::regnamespace AND NOT EXISTS (
    SELECT 1 FROM pg_depend WHERE classid = 'pg_proc'::regclass AND objid = pg_proc.oid
    AND deptype = 'e')"""
# Extensions (pg_trgm, unaccent) outlive a rollback on purpose: a down never drops what another
# schema of the server may use. Columns are compared by their place among the live ones (a
# dropped column keeps its number in PostgreSQL's catalogue).
_PG_SCHEMA = (
    """SELECT 'column', table_name,
        (row_number() OVER (PARTITION BY table_name ORDER BY ordinal_position))::text,
        column_name || ' ' || data_type || ' ' || is_nullable || ' '
        || coalesce(column_default, '')
    FROM information_schema.columns WHERE table_schema = 'public'""",
    """SELECT 'index', tablename, indexname, indexdef FROM pg_indexes
    WHERE schemaname = 'public'""",
    """SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace""",
    """SELECT 'trigger', tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
    FROM pg_trigger WHERE NOT tgisinternal""",
    f"""SELECT 'function', proname, pg_get_function_identity_arguments(oid), prosrc
    FROM pg_proc WHERE {_PG_OWN_FUNCTIONS}""",
)


def _imported_modules(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.append(node.module or "")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            names.extend(str(arg.value) for arg in node.args if isinstance(arg, ast.Constant))
    return names


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda path: path.stem)
def test_a_migration_imports_no_live_code(path: Path) -> None:
    live = [name for name in _imported_modules(path) if name.split(".")[0] == "psm_tui"]
    assert live == [], f"{path.name} imports {live}: freeze what it needs in the file itself"


def test_the_import_check_sees_every_spelling(tmp_path: Path) -> None:
    probe = tmp_path / "0099_probe.py"
    probe.write_text(
        "import psm_tui\nfrom psm_tui.store import backend\n__import__('psm_tui.config')\n",
        encoding="utf-8",
    )
    assert _imported_modules(probe) == ["psm_tui", "psm_tui.store", "psm_tui.config"]


def _schema(location: Path | str) -> list[tuple]:  # type: ignore[type-arg]
    raw = RawSql(location)
    try:
        if raw.postgresql:
            return sorted(row for query in _PG_SCHEMA for row in raw.rows(query))
        return raw.rows(_SQLITE_SCHEMA)
    finally:
        raw.close()


def test_rolling_back_to_the_first_migration_and_up_again_gives_the_same_schema(
    db_path: Path,
) -> None:
    database.open_database(str(db_path))
    runner = database.runner()
    names = [migration.name for migration in runner.status()]
    assert names[0] == "0001_initial" and "0002_audit_append_only" in names

    assert runner.up("0001_initial") == ["0001_initial"]
    first = _schema(db_path)
    assert runner.up() == names[1:]
    straight = _schema(db_path)

    assert runner.down("0002_audit_append_only") == names[:0:-1]
    assert _schema(db_path) == first
    assert runner.up() == names[1:]
    assert _schema(db_path) == straight


@pytest.mark.sqlite_only
def test_the_live_search_index_rebuilds_what_the_migrations_made(initialised: Path) -> None:
    """The bench drops and rebuilds the FTS index with the live statements: they must still be
    the ones history created, or a bench database would differ from a real one."""
    migrated = _schema(initialised)
    sqlite.drop_case_search(database.db.obj)
    sqlite.create_case_search(database.db.obj)
    assert _schema(initialised) == migrated
