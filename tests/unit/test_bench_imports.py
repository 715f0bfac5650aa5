"""``python -m bench imports`` imports into a copy with a colleague saving meanwhile, without an
error (no timings here; on PostgreSQL: tests/unit/test_bench_postgresql.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bench import imports
from bench.generate import generate
from bench.import_files import write


def test_an_import_with_a_colleague_logs_its_batches_and_times_his_lock(tmp_path: Path) -> None:
    path = str(generate(tmp_path / "bench.db", 500, seed=3, progress=False))
    outcome = imports.measure(path, 300, write(tmp_path / "cases.csv", 300, seed=3))
    assert outcome.imported == 300
    assert outcome.batches >= 1
    assert outcome.errors == []
    assert outcome.saves >= 1 and outcome.timed_saves == outcome.saves  # BEGIN IMMEDIATE timed
    with sqlite3.connect(path) as conn:
        assert conn.execute('SELECT count(*) FROM "case"').fetchone() == (800,)
