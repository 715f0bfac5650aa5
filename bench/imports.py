"""``python -m bench imports``: a real import's speed, its lock per batch, and a colleague's wait.

A file of N new cases (:mod:`bench.import_files`, cached beside the databases) is imported into a
COPY of the bench database, migrated, then deleted: of the cached SQLite file (backup API; the
cache is never written), or with ``--backend postgresql`` of ``psm_bench_<size>`` on the server
(``CREATE DATABASE ... TEMPLATE``, :func:`bench.generate_pg.work_copy`). Printed:

- the dry run and the real import (``import_file``, as ``psm import cases`` calls it): seconds
  and rows/s;
- the write transaction of every batch (``PSM_IMPORT_BATCH_LOG``): count, size, median, p95,
  max, and the checkpoint after each (outside the lock);
- a colleague: a separate process that saves a note through ``cases.add_note`` every ~200 ms
  while the import runs: p50, p95, max and errors (and the same for a few seconds before, idle).

Targets (issue 19): ≥ 20,000 rows/s, a batch holds the lock ≤ 200 ms, the colleague's save
p95 ≤ 150 ms with no error.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

from bench import generate_pg
from bench.generate import SIZES, work_copy
from bench.import_check import _admin, dry_run, import_path
from bench.stats import median, p95
from psm_tui.core.files.boundary import DEFAULT_LIMITS
from psm_tui.core.files.input import open_path
from psm_tui.core.imports.run import import_file
from psm_tui.store import database

TARGET_ROWS_PER_S = 20_000
TARGET_BATCH_S = 0.200
TARGET_SAVE_P95_S = 0.150
SAVE_EVERY_S = 0.2
IDLE_SECONDS = 3.0


def _colleague(location: str, stop: Event, results: Queue[tuple[float, float, int, str]]) -> None:
    """Save a note every ~200 ms until ``stop``: each save's seconds, or its error."""
    from psm_tui.core import cases
    from psm_tui.store.models import Case

    database.open_database(location)
    waited = _time_lock_waits()
    actor = _admin()
    # A different case each time: one case's growing timeline would slow its page, not the save.
    numbers = [c.number for c in Case.select(Case.number).order_by(Case.id).limit(5000)]
    for number in itertools.cycle(numbers):
        if stop.is_set():
            break
        started = time.perf_counter()
        waited.clear()
        try:
            cases.add_note(actor, number, "bench: a colleague's note during an import")
            results.put((time.perf_counter() - started, sum(waited), len(waited), ""))
        except Exception as error:  # counted and printed, never hidden
            failed = f"{type(error).__name__}: {error}"
            results.put((time.perf_counter() - started, sum(waited), len(waited), failed))
        time.sleep(max(0.0, SAVE_EVERY_S - (time.perf_counter() - started)))
    database.close_database()


def _time_lock_waits() -> list[float]:
    """Seconds each ``BEGIN`` waited for the write lock (the list is the caller's to clear): the
    open database's own ``begin``, ``BEGIN IMMEDIATE`` on SQLite, ``BEGIN`` and the audit chain's
    advisory lock on PostgreSQL (psm_tui/store/dialects/)."""
    kind = type(database.db.obj)
    waits: list[float] = []
    begin = kind.begin

    def timed_begin(self: object, *args: object, **kwargs: object) -> None:
        started = time.perf_counter()
        try:
            begin(self, *args, **kwargs)
        finally:
            waits.append(time.perf_counter() - started)

    kind.begin = timed_begin  # bench only: every transaction of this process
    return waits


def _drain(
    results: Queue[tuple[float, float, int, str]],
) -> tuple[list[float], list[float], list[str], int]:
    """The saves' seconds, their lock waits, their errors, and how many saves began a
    transaction through the timed ``begin``."""
    times: list[float] = []
    waits: list[float] = []
    errors: list[str] = []
    timed = 0
    while not results.empty():
        seconds, waited, begins, error = results.get()
        times.append(seconds)
        waits.append(waited)
        timed += begins > 0
        if error:
            errors.append(error)
    return times, waits, errors, timed


def _ms(values: list[float]) -> str:
    return (
        f"p50 {median(values) * 1000:6.1f} ms  p95 {p95(values) * 1000:6.1f} ms"
        f"  max {max(values, default=float('nan')) * 1000:6.1f} ms  (n={len(values)})"
    )


@dataclass
class Outcome:
    """What a test checks of a run: rows imported, batches logged, the colleague's saves."""

    imported: int
    batches: int
    saves: int
    timed_saves: int  # saves whose transaction began through the timed begin
    errors: list[str]


def run(
    size: str,
    rows: int | None,
    xlsx: bool,
    seed: int = 1,
    alone: bool = False,
    backend: str = "sqlite",
    url: str | None = None,
) -> int:
    """Import into a copy of the ``size`` database (SQLite, or on PostgreSQL a TEMPLATE copy of
    ``psm_bench_<size>`` on the server ``url``); ``alone``: without the colleague, the import's
    own speed when nobody else writes (its batches then hold the lock longer)."""
    count = rows or SIZES[size]
    with contextlib.ExitStack() as stack:
        started = time.perf_counter()
        if backend == "postgresql":
            location = stack.enter_context(generate_pg.bench_work_copy(size, seed, url))
        else:
            location = str(stack.enter_context(work_copy(size, seed)))
        database.open_database(location)
        try:
            database.migrate()
        finally:
            database.close_database()
        print(
            f"imports: {count:,} {'xlsx' if xlsx else 'csv'} rows into a copy of the {size}"
            f" database on {backend} (copied and migrated in {time.perf_counter() - started:.1f} s)"
        )
        measure(location, count, import_path(count, seed, xlsx), alone)
    return 0


def measure(location: str, count: int, path: Path, alone: bool = False) -> Outcome:
    """The dry run, the import of ``path`` (``count`` rows) and the colleague, on ``location``
    (written to), printed."""
    database.open_database(location)
    logdir = tempfile.TemporaryDirectory(prefix="psm-imports-")
    try:
        actor = _admin()
        started = time.perf_counter()
        checked = dry_run(actor, path)
        took = time.perf_counter() - started
        print(f"  dry run:  {took:6.2f} s  {count / took:9,.0f} rows/s  (valid {checked.valid:,})")

        context = multiprocessing.get_context("spawn")
        stop, results = context.Event(), context.Queue()
        colleague = context.Process(target=_colleague, args=(location, stop, results))
        if not alone:
            colleague.start()
            time.sleep(IDLE_SECONDS)
        idle, _idle_waits, idle_errors, idle_timed = _drain(results)
        log = Path(logdir.name) / "batches.tsv"
        os.environ["PSM_IMPORT_BATCH_LOG"] = str(log)
        try:
            started = time.perf_counter()
            with open_path(path, DEFAULT_LIMITS.max_bytes) as source:
                result = import_file(actor, "cases", source)
            took = time.perf_counter() - started
        finally:
            del os.environ["PSM_IMPORT_BATCH_LOG"]
            stop.set()
            if not alone:
                colleague.join(30)
        during, waits, errors, timed = _drain(results)
        lines = [line.split("\t") for line in log.read_text().splitlines()]
        sizes = [float(fields[1]) for fields in lines]
        held = [float(fields[2]) for fields in lines]
        folded = [float(fields[3]) for fields in lines if float(fields[3])]
        rate = count / took
        verdict = "PASS" if rate >= TARGET_ROWS_PER_S else "FAIL"
        print(
            f"  import:   {took:6.2f} s  {rate:9,.0f} rows/s  (imported {result.imported:,});"
            f" target {TARGET_ROWS_PER_S:,} rows/s: {verdict}"
        )
        print(f"  batches:  {len(held)}, rows per batch median {median(sizes):.0f}")
        verdict = "PASS" if held and max(held) <= TARGET_BATCH_S else "FAIL"
        print(
            f"  lock held per batch:      {_ms(held)}; target ≤ {TARGET_BATCH_S * 1000:.0f} ms:"
            f" {verdict}"
        )
        if database.db.obj.dialect.name == "postgresql":
            print("  checkpoints between batches: none (the server checkpoints on its own)")
        else:
            print(f"  checkpoints between batches: {_ms(folded)} (outside the lock)")
        if alone:
            print("  colleague: none (--alone)")
        else:
            print(f"  colleague, idle:         {_ms(idle)}  errors {len(idle_errors)}")
            passed = during and p95(during) <= TARGET_SAVE_P95_S and not errors
            print(
                f"  colleague, during import: {_ms(during)}  errors {len(errors)};"
                f" target p95 ≤ {TARGET_SAVE_P95_S * 1000:.0f} ms, 0 errors:"
                f" {'PASS' if passed else 'FAIL'}"
            )
            print(f"    of which waiting for the lock: {_ms(waits)}")
        for error in dict.fromkeys(idle_errors + errors):
            print(f"    error: {error}")
        return Outcome(
            result.imported, len(held), len(idle) + len(during), idle_timed + timed,
            idle_errors + errors,
        )  # fmt: skip
    finally:
        database.close_database()
        logdir.cleanup()
