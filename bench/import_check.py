"""``python -m bench import-check``: how fast the import's check phase is, and where it goes.

The check phase is ``psm import cases --dry-run``: read the file, check every row, and plan it
against the database (which NIKs are known, which rows were imported before). It runs here
through the same core function the CLI calls, on a file from :mod:`bench.import_files`, against
the cached bench database opened in place with ``PRAGMA query_only`` (nothing is copied, and a
write would fail loudly). Printed: seconds and rows/s per trial, the floor (the bare
``csv.reader`` or openpyxl ``read_only`` pass over the same file), and a cProfile top 15.
"""

from __future__ import annotations

import cProfile
import csv
import io
import pstats
import statistics
import time
from pathlib import Path

from bench.generate import CACHE, SIZES, cache_path
from bench.import_files import write
from psm_tui.core.dto import Actor
from psm_tui.core.files.boundary import DEFAULT_LIMITS
from psm_tui.core.files.input import open_path
from psm_tui.core.imports.run import ImportResult, import_file
from psm_tui.store import database
from psm_tui.store.database import db

TARGET_ROWS_PER_S = 20_000
TARGET_SECONDS = {"csv": 5.0, "xlsx": 15.0}  # for 100,000 rows (issue 19)


def import_path(rows: int, seed: int, xlsx: bool) -> Path:
    """The cached import file of ``rows`` rows (built on first use)."""
    path = CACHE / "imports" / f"cases-{rows}-seed{seed}.{'xlsx' if xlsx else 'csv'}"
    if not path.exists():
        started = time.perf_counter()
        partial = path.with_name(f"partial-{path.name}")
        write(partial, rows, seed).replace(path)
        print(f"  built {path.name} in {time.perf_counter() - started:.1f} s")
    return path


def dry_run(actor: Actor, path: Path) -> ImportResult:
    with open_path(path, DEFAULT_LIMITS.max_bytes) as source:
        return import_file(actor, "cases", source, dry_run=True)


def floor(path: Path) -> float:
    """Seconds to only parse the file: ``csv.reader`` or openpyxl's streaming reader."""
    started = time.perf_counter()
    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for _row in book.worksheets[0].iter_rows(values_only=True):
            pass
        book.close()
    else:
        with path.open(encoding="utf-8", newline="") as fh:
            for _values in csv.reader(fh, delimiter=";"):
                pass
    return time.perf_counter() - started


def _admin() -> Actor:
    from psm_tui.core import users
    from psm_tui.store.models import StaffUser

    user = (
        StaffUser.select(StaffUser.username)
        .where(StaffUser.role == "admin", StaffUser.active == True)  # noqa: E712
        .order_by(StaffUser.id)
        .get()
    )
    return users.actor_for(user.username)


def run(size: str, rows: int | None, xlsx: bool, trials: int, seed: int = 1) -> int:
    count = rows or SIZES[size]
    target_db = cache_path(size, seed)
    if not target_db.is_file():  # never generated here: building one takes the machine for long
        print(f"no cached database {target_db}; run python -m bench generate --size {size}")
        return 1
    path = import_path(count, seed, xlsx)
    database.open_database(str(target_db))
    db.connect(reuse_if_open=True)
    db.execute_sql("PRAGMA query_only = ON")
    try:
        actor = _admin()
        fmt = "xlsx" if xlsx else "csv"
        print(f"import-check: {count:,} {fmt} rows against the {size} database ({path.name})")
        times = []
        for trial in range(1, trials + 1):
            started = time.perf_counter()
            result = dry_run(actor, path)
            times.append(time.perf_counter() - started)
            print(
                f"  trial {trial}: {times[-1]:6.2f} s  {count / times[-1]:9,.0f} rows/s"
                f"  (rows {result.rows:,}, valid {result.valid:,},"
                f" refused {result.refused_rows:,})"
            )
            if result.refusals:
                first = result.refusals[0]
                print(f"  first refusal: row {first.row} {first.column}: {first.reason}")
        best = min(times)
        parse = floor(path)
        target = TARGET_SECONDS[fmt] * count / 100_000
        verdict = "PASS" if best <= target else "FAIL"
        print(
            f"  best {best:.2f} s, median {statistics.median(times):.2f} s,"
            f" {count / best:,.0f} rows/s; target {target:.1f} s: {verdict}"
        )
        print(f"  floor (parse only): {parse:.2f} s  {count / parse:,.0f} rows/s")
        profile = cProfile.Profile()
        profile.enable()
        dry_run(actor, path)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(15)
        print("  cProfile (one more dry run, by own time), top 15:")
        print("\n".join("    " + line for line in out.getvalue().splitlines() if line.strip()))
    finally:
        database.close_database()
    return 0
