"""The layers stay apart: nothing below the TUI imports textual; each engine's SQL stays in its
dialect module.

The import rules themselves are import-linter contracts (pyproject.toml, tests/test_lint.py)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import grimp
import pytest

import psm_tui

PACKAGE = Path(psm_tui.__file__).parent

PROBE = """
import importlib, json, pkgutil, sys
names = ["psm_tui.config", "psm_tui.cli"]
for package in ("store", "core", "presentation", "ops"):
    module = importlib.import_module(f"psm_tui.{package}")
    names += [m.name for m in pkgutil.walk_packages(module.__path__, f"psm_tui.{package}.")]
for name in names:
    importlib.import_module(name)
import psm_tui.cli
psm_tui.cli.cli.list_commands(None)
print(json.dumps({"imported": names, "textual": sorted(m for m in sys.modules if m == "textual"
                  or m.startswith("textual."))}))
"""


def _probe(source: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_services_models_and_cli_import_no_textual() -> None:
    result = _probe(PROBE)
    assert "psm_tui.core.cases" in result["imported"]
    assert "psm_tui.ops.demo" in result["imported"]
    assert result["textual"] == []


def test_the_probe_would_notice_textual() -> None:
    """Guard against a probe that can never fail."""
    probe = PROBE.replace("for name in names:", "import textual\nfor name in names:")
    assert "textual" in _probe(probe)["textual"]


@dataclass(frozen=True)
class Dialect:
    """What gives away code written for one engine, and the only modules allowed to hold it."""

    sql: re.Pattern[str]
    modules: frozenset[str]  # imports
    names: frozenset[str]  # peewee's engine classes and engine-only SQL functions
    home: frozenset[str]  # paths under psm_tui/


DIALECTS = {
    "sqlite": Dialect(
        re.compile(
            r"\bPRAGMA\b|\bsqlite_master\b|\bfts5\b|\bMATCH\b|\browid\b|\bIMMEDIATE\b"
            r"|\bRAISE\s*\(\s*ABORT\b|\bjulianday\b",
            re.I,
        ),
        frozenset({"sqlite3", "playhouse.sqlite_ext", "playhouse.sqlite_udf", "playhouse.sqliteq"}),
        frozenset({"SqliteDatabase", "julianday"}),
        # The backup, restore and checks of psm check are SQLite's alone.
        frozenset({"store/dialects/sqlite.py", "store/maintenance.py"}),
    ),
    "postgresql": Dialect(
        re.compile(
            r"\bpg_\w+|\btsvector\b|\bto_tsquery\b|\bILIKE\b|\bplpgsql\b|\bsetval\b"
            r"|\bLOCK\s+TABLE\b|\bunaccent\b|::\w+|\$\$",
            re.I,
        ),
        frozenset({"psycopg", "psycopg2", "playhouse.postgres_ext"}),
        frozenset({"PostgresqlDatabase"}),
        frozenset({"store/dialects/postgresql.py"}),
    ),
}


def _prose(tree: ast.Module) -> set[int]:
    """The ids of the string nodes that are prose, which may name PRAGMA or pg_dump (code may
    not): docstrings, and the messages given to ``_()`` or ``N_()``."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("_", "N_")
            and node.args
        ):
            found.add(id(node.args[0]))
    return found


def _dialect_specific(path: Path, dialect: Dialect) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _prose(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if dialect.sql.search(node.value):
                found.append(f"line {node.lineno}: {node.value[:40]!r}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names]
            if dialect.modules & set(names):
                found.append(f"line {node.lineno}: imports {sorted(dialect.modules & set(names))}")
        elif isinstance(node, ast.Attribute | ast.Name):
            name = node.attr if isinstance(node, ast.Attribute) else node.id
            if name in dialect.names:
                found.append(f"line {node.lineno}: {name}")
    return found


def _offenders(dialect: Dialect, package: Path = PACKAGE) -> dict[str, list[str]]:
    return {
        relative: found
        for path in sorted(package.rglob("*.py"))
        if (relative := path.relative_to(package).as_posix()) not in dialect.home
        and (found := _dialect_specific(path, dialect))
    }


@pytest.mark.parametrize("name", DIALECTS)
def test_each_dialect_is_written_only_in_its_own_module(name: str) -> None:
    """The same code runs on both engines: one engine's SQL, classes and modules appear only in
    its dialect module (no file exempts itself by what its docstring says)."""
    assert _offenders(DIALECTS[name]) == {}


def test_the_dialect_check_sees_sql_code_and_imports_but_not_prose(tmp_path: Path) -> None:
    """Guard against a check that can never fail."""
    (tmp_path / "leak.py").write_text(
        '"""Prose may say PRAGMA and pg_dump."""\n'
        "import sqlite3\n"
        "import peewee\n"
        "from psm_tui.i18n import _\n"
        "MESSAGE = _('back it up with pg_dump')\n"
        "LIVE = isinstance(object(), peewee.SqliteDatabase)\n"
        "SQL = 'SELECT pg_advisory_xact_lock(1)'\n",
        encoding="utf-8",
    )
    assert _offenders(DIALECTS["sqlite"], tmp_path) == {
        "leak.py": ["line 2: imports ['sqlite3']", "line 6: SqliteDatabase"]
    }
    assert _offenders(DIALECTS["postgresql"], tmp_path) == {
        "leak.py": ["line 7: 'SELECT pg_advisory_xact_lock(1)'"]
    }


FEATURES = ("backend", "search", "bulk", "reports", "database", "models")


def test_the_stores_features_never_ask_which_engine_they_run_on() -> None:
    """They ask their database's dialect (``backend.dialect_of``); only opening a database
    (``store.database``) chooses one, and nothing else in the store imports a dialect module."""
    graph = grimp.build_graph("psm_tui")
    for feature in FEATURES:
        imported = graph.find_modules_directly_imported_by(f"psm_tui.store.{feature}")
        engines = {m for m in imported if m.startswith("psm_tui.store.dialects.")}
        assert engines == (
            {"psm_tui.store.dialects.postgresql", "psm_tui.store.dialects.sqlite"}
            if feature == "database"
            else set()
        ), feature


def _import_cycles(graph: grimp.ImportGraph, package: str) -> set[tuple[str, str]]:
    """Pairs of modules of ``package`` that import each other, directly or through others
    (imports inside functions count: a lazy import is still an arrow)."""
    found = set()
    for module in graph.find_descendants(package) | {package}:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith(package) and graph.chain_exists(imported, module):
                found.add((min(module, imported), max(module, imported)))
    return found


def test_no_import_cycles_in_the_cli_or_below_the_tui() -> None:
    graph = grimp.build_graph("psm_tui")
    for package in ("cli", "ops", "presentation", "core", "store"):
        assert _import_cycles(graph, f"psm_tui.{package}") == set()


def test_the_cycle_check_sees_a_lazy_import_back() -> None:
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")  # e.g. inside a function of p.b
    assert _import_cycles(graph, "p") == {("p.a", "p.b")}
