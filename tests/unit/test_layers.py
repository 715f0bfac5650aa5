"""The layers stay apart: nothing below the TUI imports textual; SQL dialect stays in the store.

The import rules themselves are import-linter contracts (pyproject.toml, tests/test_lint.py)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import grimp

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


SQLITE_SQL = re.compile(r"\bPRAGMA\b|\bsqlite_master\b|\bfts5\b", re.I)
SQLITE_MODULES = {"sqlite3", "playhouse.sqlite_ext", "playhouse.sqlite_udf", "playhouse.sqliteq"}


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring nodes (prose may name PRAGMA or FTS5; code may not)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _sqlite_specific(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if path.is_relative_to(PACKAGE / "store"):
        return []
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if SQLITE_SQL.search(node.value):
                found.append(f"line {node.lineno}: {node.value[:40]!r}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [alias.name for alias in node.names]
            if SQLITE_MODULES & set(names):
                found.append(f"line {node.lineno}: imports {sorted(SQLITE_MODULES & set(names))}")
        elif isinstance(node, ast.Attribute | ast.Name):
            name = node.attr if isinstance(node, ast.Attribute) else node.id
            if name == "SqliteDatabase":
                found.append(f"line {node.lineno}: SqliteDatabase")
    return found


def test_sqlite_specific_code_only_in_the_store() -> None:
    """The same code runs on PostgreSQL: only the store speaks SQLite (no file exempts itself)."""
    offenders = {
        str(path.relative_to(PACKAGE)): found
        for path in sorted(PACKAGE.rglob("*.py"))
        if (found := _sqlite_specific(path))
    }
    assert offenders == {}


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
