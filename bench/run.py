"""``python -m bench run``: measure each size and print one table per size."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
import sys
from pathlib import Path

from bench import cli, compare, tui
from bench.generate import ensure
from bench.service import ServiceBench
from bench.stats import Row, table
from psm_tui.core import case_queries

GROUPS = ("cli", "list", "search", "people", "views", "tui", "baseline")
DATATABLE_MAX = 100_000  # beyond this the baseline takes minutes and proves nothing new


def _progress(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)


def _location(size: str, seed: int, backend: str, database_url: str | None) -> Path | str:
    """The database of ``size`` on ``backend``: a cached SQLite file or a PostgreSQL URL."""
    if backend == "postgresql":
        from bench import generate_pg

        return generate_pg.ensure(size, seed, database_url)
    return ensure(size, seed)


def run_size(
    size: str,
    seed: int,
    trials: int,
    only: set[str],
    backend: str = "sqlite",
    database_url: str | None = None,
) -> list[Row]:
    wanted = only or set(GROUPS)
    if backend != "sqlite":  # the TUI and DataTable measures stay on the SQLite file
        wanted -= {"tui", "baseline"}
    path = _location(size, seed, backend, database_url)
    bench = ServiceBench(path, trials)
    rows: list[Row] = []
    try:
        total = 0
        if "list" in wanted:
            _progress("case list")
            total = bench.case_list()
            bench.filter_change()
        if "search" in wanted:
            _progress("search")
            bench.search()
        if "people" in wanted:
            _progress("client page, household")
            bench.people()
        if "views" in wanted:
            _progress("dashboard, reports, export")
            bench.views()
        rows += bench.rows
        total = total or case_queries.count_cases()
        number = bench.case_number(total // 2)
    finally:
        bench.close()
    if "baseline" in wanted and "list" in wanted and total <= DATATABLE_MAX:
        _progress("DataTable baseline")
        samples = tui.datatable_baseline(path, 1 if total > 20_000 else 3)
        for row in rows:
            if row.group == "list" and row.name in ("first page", "page down", "jump to end"):
                row.datatable = samples
    if "cli" in wanted:
        _progress("CLI cold start")
        rows += cli.measure(str(path), trials if trials and trials < 10 else 0, number)
    if "tui" in wanted:
        _progress("TUI over a pty")
        rows += tui.measure(path, trials if trials and trials < 5 else 0)
    return rows


def run_sizes(
    sizes: list[str],
    *,
    seed: int = 1,
    trials: int = 0,
    only: set[str],
    backend: str = "sqlite",
    database_url: str | None = None,
) -> int:
    for size in sizes:
        if backend == "both":
            lite = run_size(size, seed, trials, only, "sqlite")
            pg = run_size(size, seed, trials, only, "postgresql", database_url)
            print(
                compare.table(
                    lite,
                    pg,
                    _title(size, seed, compare.server_version(pg_url(size, seed, database_url))),
                )
            )
        else:
            rows = run_size(size, seed, trials, only, backend, database_url)
            engine = (
                compare.server_version(pg_url(size, seed, database_url))
                if backend == "postgresql"
                else ""
            )
            print(table(rows, _title(size, seed, engine)))
        print()
    return 0


def pg_url(size: str, seed: int, database_url: str | None) -> str:
    from bench import generate_pg

    return generate_pg.database_url(size, seed, database_url)


def _title(size: str, seed: int, postgresql: str = "") -> str:
    return (
        f"psm-tui bench: {size} cases (seed {seed}), {dt.date.today()}, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, "
        + (f"{postgresql}, " if postgresql else "")
        + f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"
    )
