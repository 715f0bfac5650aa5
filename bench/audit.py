"""The audit hash chain at 100k and 1M rows: ``python -m bench audit --size 100k --size 1m``.

Each size is a database of its own (cached in ``bench/.cache/audit-SIZE-vN.db``): the real schema
(``setup.initialise``), then audit rows appended through :func:`audit.record_rows` (so hashed and
chained exactly as psm does), shaped like the log of a busy office: notes, status changes,
assignments, case views and exports, with Indonesian text and JSON before/after. Measured:
``audit_chain.verify`` in process (what ``psm check`` runs), and the whole ``psm audit verify
--anchor HEAD`` process with its peak RSS, which stays flat from 100k to 1M rows because the
walk reads a batch of rows at a time.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.cli import _environment
from bench.generate import CACHE
from bench.pools import ANCHOR
from bench.rss import CHILD, ENV, read_kib
from bench.stats import Row, Target, median, table, timed
from psm_tui.core import audit, audit_chain, setup, users
from psm_tui.store import database

AUDIT_VERSION = 1
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
TARGET = Target(10.0)  # issue 13: 1,000,000 rows verified in under 10 s
ACTIONS = (
    ("case.note", "case", '{{"kind": [null, "catatan"], "text": [null, "{text}"]}}'),
    ("case.status", "case", '{{"status": ["ditugaskan", "ditangani"]}}'),
    ("case.assign", "case", '{{"worker": [null, {worker}], "status": ["baru", "ditugaskan"]}}'),
    ("case.view", "case", "{{}}"),
    ("followup.create", "follow_up", '{{"opd": [null, "DINKES"], "action": [null, "{text}"]}}'),
)
TEXTS = (
    "Kunjungan rumah: ibu dan dua anak tinggal di kontrakan, atap bocor",
    "Sudah koordinasi dengan Puskesmas Cipondoh untuk pemeriksaan lansia",
    "Klien meminta bantuan kursi roda; menunggu verifikasi DTSEN",
    "Telepon ke RT 03/RW 05, klien pindah ke rumah saudara",
)


def cache_path(size: str) -> Path:
    return CACHE / f"audit-{size}-v{AUDIT_VERSION}.db"


def _rows(total: int, seed: int = 1) -> Iterator[tuple[object, ...]]:
    rng = random.Random(seed)
    users_ = [f"psm{n:03d}" for n in range(40)]
    start = ANCHOR - dt.timedelta(days=3 * 365)
    step = dt.timedelta(days=3 * 365) / total
    for n in range(total):
        action, entity, changes = ACTIONS[rng.randrange(len(ACTIONS))]
        number = f"{2023 + n * 3 // total}-{rng.randint(1, 99_999):06d}"
        text = rng.choice(TEXTS)
        yield (
            (start + step * n).replace(microsecond=0),
            rng.choice(users_),
            action,
            entity,
            str(rng.randint(1, 1_000_000)),
            number,
            changes.format(text=text, worker=rng.randint(1, 987)),
            "" if action != "case.view" else "full record",
        )


def ensure(size: str, progress: bool = True) -> Path:
    """The cached audit database of ``size``, built on first use."""
    path = cache_path(size)
    if path.exists():
        return path
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    started = time.monotonic()
    original = users.os_username
    users.os_username = lambda: os.environ.get("PSM_BENCH_ADMIN") or original()  # type: ignore[method-assign]
    try:
        database.open_database(str(partial))
        setup.initialise("Bench Admin")
        with database.db.atomic():
            audit.record_rows(_rows(SIZES[size]))
        database.close_database()
    finally:
        users.os_username = original  # type: ignore[method-assign]
    partial.replace(path)
    if progress:
        print(f"  built {path.name} in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return path


def _process(path: Path, anchor: str, trials: int) -> tuple[list[float], list[float]]:
    """Wall seconds and peak RSS (MiB, the process's own: :mod:`bench.rss`) of
    ``psm audit verify --anchor`` runs."""
    walls, peaks = [], []
    with tempfile.TemporaryDirectory() as home:
        peak = Path(home) / "peak-rss"
        env = {**_environment(home), ENV: str(peak)}
        args = [
            sys.executable,
            "-c",
            CHILD,
            "--db",
            str(path),
            "audit",
            "verify",
            "--anchor",
            anchor,
        ]
        for index in range(trials + 1):  # the first run warms the page cache, untimed
            started = time.perf_counter()
            code = subprocess.call(args, env=env, stdout=subprocess.DEVNULL)
            elapsed = time.perf_counter() - started
            if code != 0:
                raise RuntimeError(f"psm audit verify --anchor {anchor} failed")
            if index:
                walls.append(elapsed)
                peaks.append(read_kib(peak) / 1024)
    return walls, peaks


def measure(size: str, trials: int) -> list[Row]:
    path = ensure(size)
    database.open_database(str(path))
    try:
        report = audit_chain.verify()
        if not report.ok or report.head is None or report.rows != report.head.id:
            raise RuntimeError(f"{path.name}: the chain does not verify: {report}")
        samples = timed(audit_chain.verify, trials)
        cpu = []
        for _ in range(trials):  # what a shared machine's load does not inflate as much
            started = time.process_time()
            audit_chain.verify()
            cpu.append(time.process_time() - started)
    finally:
        database.close_database()
    walls, peaks = _process(path, str(report.head), trials)
    per_row = f"{median(samples) / report.rows * 1e6:.2f} µs/row"
    return [
        Row("audit", "verify the chain in process", samples, target=TARGET, note=per_row),
        Row("audit", "verify the chain in process: CPU time", cpu),
        Row("audit", "psm audit verify --anchor HEAD (process)", walls, target=TARGET),
        Row("audit", "psm audit verify: peak RSS", peaks, unit="MiB"),
    ]


def run(sizes: list[str], trials: int) -> int:
    for size in sizes:
        rows = measure(size, trials or 3)
        title = (
            f"psm-tui bench: audit chain of {SIZES[size]:,} rows, {dt.date.today()}, "
            f"{platform.python_implementation()} {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.1f} at the end"
        )
        print(table(rows, title))
        print()
    return 0
