"""``python -m bench run``: measure each size and print one table per size."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
import sys

from bench import cli, tui
from bench.generate import ensure
from bench.service import ServiceBench
from bench.stats import Row, table

GROUPS = ("cli", "list", "search", "people", "views", "tui", "baseline")
DATATABLE_MAX = 100_000  # beyond this the baseline takes minutes and proves nothing new


def _progress(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)


def run_size(size: str, seed: int, trials: int, only: set[str]) -> list[Row]:
    wanted = only or set(GROUPS)
    path = ensure(size, seed)
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
    finally:
        bench.close()
    conn = sqlite3.connect(path)
    total = total or conn.execute('SELECT COUNT(*) FROM "case"').fetchone()[0]
    number = conn.execute(
        'SELECT number FROM "case" ORDER BY id LIMIT 1 OFFSET ?', (total // 2,)
    ).fetchone()[0]
    conn.close()
    if "baseline" in wanted and "list" in wanted and total <= DATATABLE_MAX:
        _progress("DataTable baseline")
        samples = tui.datatable_baseline(path, 1 if total > 20_000 else 3)
        for row in rows:
            if row.group == "list" and row.name in ("first page", "page down", "jump to end"):
                row.datatable = samples
    if "cli" in wanted:
        _progress("CLI cold start")
        rows += cli.measure(path, trials if trials and trials < 10 else 0, number)
    if "tui" in wanted:
        _progress("TUI over a pty")
        rows += tui.measure(path, trials if trials and trials < 5 else 0)
    return rows


def run_sizes(sizes: list[str], *, seed: int = 1, trials: int = 0, only: set[str]) -> int:
    for size in sizes:
        rows = run_size(size, seed, trials, only)
        title = (
            f"psm-tui bench: {size} cases (seed {seed}), {dt.date.today()}, "
            f"{platform.python_implementation()} {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.1f} at the end"
        )
        print(table(rows, title))
        print()
    return 0
