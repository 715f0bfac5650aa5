"""``python -m bench office``: a whole office at once (issue 19).

N staff sessions, each a process of its own (``bench/office_session.py``), think 1–5 s and then
list, page, search, open a case, read the dashboard or the follow-ups, or save a note, a
hand-over or a follow-up, through the core calls the TUI's workers make, for a window of
``--seconds``; ``--with-import`` runs ``psm import cases`` of a 100k-row file meanwhile. The table
gives p50/p95/p99 per action and for all reads and all saves, against the targets: p95 ≤ 100 ms
for reads, ≤ 150 ms for saves, no errors.

SQLite runs on a copy of the cached bench database (deleted after); ``--database-url`` names a
PostgreSQL server, and the run is on a copy of its ``psm_bench_<size>`` (``CREATE DATABASE ...
TEMPLATE``, dropped after: :func:`bench.generate_pg.work_copy`), so the shared bench database
stays as generated; the import meanwhile (``--with-import``) writes to that copy too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import multiprocessing as mp
import os
import platform
import pwd
import queue
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import generate_pg, import_files
from bench.generate import work_copy
from bench.office_session import Plan, Sample, main
from psm_tui.core import reference, session, users
from psm_tui.core.errors import ConflictError

READ_P95 = 0.100
SAVE_P95 = 0.150
# The demo's staff who act (viewers do not) and the office's extra operators, one kecamatan each.
DEMO_STAFF = (
    "dinsos_admin",
    "kabid_rehsos",
    "kasi_pfm",
    "operator1",
    "op_cipondoh",
    "op_karawaci",
    "operator2",
)
EXTRA_OPERATORS = 22
ADMIN = "dinsos_admin"
READY_TIMEOUT = 300.0  # seconds for every session to start (30 spawned Pythons on 2 CPUs)


def extra_logins() -> list[str]:
    return [f"kantor_op{n:02d}" for n in range(1, EXTRA_OPERATORS + 1)]


def logins(sessions: int) -> list[str]:
    """Who each session is: the demo's staff and the office's operators interleaved (so two
    sessions are one citywide and one scoped user), repeated past 29 (two windows, one user)."""
    demo, extra = list(DEMO_STAFF), extra_logins()
    order: list[str] = []
    while demo or extra:
        order += [demo.pop(0)] if demo else []
        order += [extra.pop(0)] if extra else []
    return [order[i % len(order)] for i in range(sessions)]


def import_login() -> str:
    """Who ``psm import`` runs as: this process's OS account (a test's stand-in is not)."""
    return pwd.getpwuid(os.geteuid()).pw_name


def add_operators(location: str) -> None:
    """The office's operators, each scoped to a kecamatan, and the import's login, registered
    through the users service (one already there is kept: a PostgreSQL database may have them
    from an earlier run)."""
    session.open_location(location)
    try:
        with session.unit_of_work():
            if not all(applied for _name, applied in session.migration_status()):
                session.migrate()
            admin = users.actor_for(ADMIN)
            with contextlib.suppress(ConflictError):  # the import runs as this OS account
                users.add_user(admin, import_login(), "supervisor", full_name="Import kantor")
            kecamatan = [k.code for k in reference.all_kecamatan()]
            for n, login in enumerate(extra_logins()):
                with contextlib.suppress(ConflictError):
                    users.add_user(
                        admin,
                        login,
                        "operator",
                        full_name=f"Operator Kantor {n + 1:02d}",
                        kecamatan=kecamatan[n % len(kecamatan)],
                    )
    finally:
        session.close()


# -- the import running meanwhile ----------------------------------------------------------------
def import_file(folder: Path, rows: int, seed: int) -> Path:
    """A CSV of ``rows`` new cases with new people, as ``bench imports`` uses."""
    return import_files.write_csv(folder / f"office-import-{rows}.csv", rows, seed)


@dataclass
class ImportRun:
    seconds: float = math.nan
    code: int | None = None
    imported: int = 0
    refused: int = 0
    error: str = ""


def start_import(location: str, path: Path, folder: Path) -> tuple[subprocess.Popen[bytes], float]:
    """``psm import cases`` in a process of its own, with a private HOME (no user config)."""
    env = {**os.environ, "HOME": str(folder), "XDG_CONFIG_HOME": str(folder / ".config")}
    env.pop("PSM_DATABASE", None)
    args = [sys.executable, "-m", "psm_tui", "--db", location, "import", "cases", str(path)]
    args += ["--skip-invalid", "--json"]
    out, err = (folder / "import.json").open("wb"), (folder / "import.err").open("wb")
    with out, err:
        child = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
    return child, time.perf_counter()


def finish_import(child: subprocess.Popen[bytes], started: float, folder: Path) -> ImportRun:
    code = child.wait()
    run = ImportRun(time.perf_counter() - started, code)
    try:
        result = json.loads((folder / "import.json").read_text())
        run.imported, run.refused = int(result["imported"]), int(result["refused_rows"])
    except (ValueError, KeyError):
        run.error = (folder / "import.err").read_text(errors="replace")[-400:]
    return run


# -- the run ---------------------------------------------------------------------------------------
@dataclass
class Outcome:
    sessions: int
    seconds: float
    samples: dict[str, list[Sample]] = field(default_factory=dict)  # login -> samples
    failed: list[str] = field(default_factory=list)  # sessions that never started or crashed
    imported: ImportRun | None = None

    def all(self) -> list[tuple[str, Sample]]:
        return [(login, s) for login, rows in self.samples.items() for s in rows]


def run_office(
    location: str,
    *,
    sessions: int = 30,
    seconds: float = 120.0,
    seed: int = 1,
    think: tuple[float, float] = (1.0, 5.0),
    import_rows: int = 0,
    max_actions: int | None = None,
) -> Outcome:
    """Run the office on ``location`` (written to) and return every sample."""
    add_operators(location)
    context = mp.get_context("spawn")
    ready, results = context.Queue(), context.Queue()
    start, deadline = context.Event(), context.Value("d", 0.0)
    who = logins(sessions)
    children = []
    for index, login in enumerate(who):
        plan = Plan(index, login, location, seed, think, max_actions)
        child = context.Process(target=main, args=(plan, ready, start, deadline, results))
        child.start()
        children.append(child)
    outcome = Outcome(sessions, seconds)
    with tempfile.TemporaryDirectory(prefix="psm-office-import-") as scratch:
        folder = Path(scratch)
        csv_path = import_file(folder, import_rows, seed) if import_rows else None
        waiting = _wait_ready(ready, results, children, outcome, who)
        deadline.value = time.time() + seconds
        importing = start_import(location, csv_path, folder) if csv_path else None
        start.set()
        _collect(results, children, waiting, outcome, who, seconds)
        if importing:
            outcome.imported = finish_import(*importing, folder)
    for child in children:
        child.join(timeout=30)
    return outcome


def _wait_ready(
    ready: mp.Queue[int], results: mp.Queue[tuple[str, int, object]],
    children: list[mp.process.BaseProcess], outcome: Outcome, who: list[str],
) -> set[int]:  # fmt: skip
    """The sessions ready to start; one that failed to prepare or died is recorded."""
    started, waiting = time.monotonic(), set(range(len(children)))
    ready_ones: set[int] = set()
    while waiting - ready_ones and time.monotonic() - started < READY_TIMEOUT:
        with contextlib.suppress(queue.Empty):
            ready_ones.add(ready.get(timeout=0.5))
        with contextlib.suppress(queue.Empty):
            _kind, index, what = results.get_nowait()
            outcome.failed.append(f"{who[index]}: {what}")
            waiting.discard(index)
        for index in waiting - ready_ones:
            if children[index].exitcode is not None and ready.empty():
                outcome.failed.append(f"{who[index]}: exited {children[index].exitcode}")
                waiting.discard(index)
    return ready_ones


def _collect(
    results: mp.Queue[tuple[str, int, object]], children: list[mp.process.BaseProcess],
    waiting: set[int], outcome: Outcome, who: list[str], seconds: float,
) -> None:  # fmt: skip
    """Every session's samples, waiting at most the window and a minute more."""
    until = time.monotonic() + seconds + 60
    while waiting and time.monotonic() < until:
        try:
            kind, index, what = results.get(timeout=1)
        except queue.Empty:
            if not any(c.is_alive() for c in children):
                break
            continue
        waiting.discard(index)
        if kind == "done":
            outcome.samples.setdefault(who[index], []).extend(what)  # type: ignore[arg-type]
        else:
            outcome.failed.append(f"{who[index]}: {what}")
    outcome.failed += [f"{who[i]}: no result (crashed or late)" for i in sorted(waiting)]


# -- the table -------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    """Nearest rank, as ``bench.stats.p95``."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value * 1000:.1f}"


def _line(name: str, rows: list[tuple[str, Sample]], scoped: set[str], target: float | None) -> str:
    times = [s[2] for _login, s in rows]
    errors = sum(1 for _login, s in rows if s[3])
    city = [s[2] for login, s in rows if login not in scoped]
    kec = [s[2] for login, s in rows if login in scoped]
    cells = [percentile(times, q) for q in (0.5, 0.95, 0.99)] + [max(times, default=math.nan)]
    verdict = ""
    if target is not None:
        met = errors == 0 and percentile(times, 0.95) <= target
        verdict = f"p95≤{target * 1000:.0f} {'PASS' if met else 'MISS'}"
    return (
        f"{name:18} {len(times):>5} "
        + " ".join(f"{_ms(v):>7}" for v in cells)
        + f" {_ms(percentile(city, 0.95)):>8} {_ms(percentile(kec, 0.95)):>8}"
        + f" {errors:>6}  {verdict}"
    )


def table(outcome: Outcome, scoped: set[str], title: str) -> str:
    rows = outcome.all()
    order = list(
        dict.fromkeys(s[0] for _login, s in sorted(rows, key=lambda r: (r[1][1], r[1][0])))
    )
    head = (
        f"{'action':18} {'n':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"
        f" {'p95 city':>8} {'p95 kec':>8} {'errors':>6}  target (ms)"
    )
    lines = [title, head, "-" * len(head)]
    lines += [_line(a, [r for r in rows if r[1][0] == a], scoped, None) for a in order]
    lines.append("-" * len(head))
    lines.append(_line("all reads", [r for r in rows if r[1][1] == "read"], scoped, READ_P95))
    lines.append(_line("all saves", [r for r in rows if r[1][1] == "save"], scoped, SAVE_P95))
    kinds: dict[str, tuple[int, str]] = {}
    for _login, (action, _kind, _t, error, text) in rows:
        if error:
            n, first = kinds.get(error, (0, f"{action}: {text}"))
            kinds[error] = (n + 1, first)
    for error, (n, first) in sorted(kinds.items()):
        lines.append(f"error {error} ×{n}, e.g. {first}")
    lines += [f"session failed: {f}" for f in outcome.failed]
    if outcome.imported:
        run = outcome.imported
        lines.append(
            f"import: exit {run.code}, {run.imported:,} cases imported, {run.refused:,} refused,"
            f" {run.seconds:.1f} s (window {outcome.seconds:.0f} s) {run.error}"
        )
    return "\n".join(lines)


def scoped_logins(location: str, who: list[str]) -> set[str]:
    session.open_location(location)
    try:
        with session.unit_of_work():
            return {w for w in set(who) if users.read_scope(users.actor_for(w))}
    finally:
        session.close()


# -- the command -----------------------------------------------------------------------------------
def run(
    size: str, sessions: int, seconds: float, with_import: bool, url: str | None, seed: int
) -> int:
    rows = 100_000 if with_import else 0
    with contextlib.ExitStack() as stack:
        if url:  # the server: a TEMPLATE copy of its psm_bench_<size>, dropped after
            location = stack.enter_context(generate_pg.bench_work_copy(size, seed, url))
        else:
            location = str(stack.enter_context(work_copy(size, seed)))
        print(f"  … {sessions} sessions for {seconds:.0f} s on {size}", file=sys.stderr)
        outcome = run_office(
            location, sessions=sessions, seconds=seconds, seed=seed, import_rows=rows
        )
        scoped = scoped_logins(location, logins(sessions))
    title = (
        f"psm-tui office: {sessions} sessions, {seconds:.0f} s, {size} cases"
        f"{' + a 100k import' if with_import else ''} ({'PostgreSQL' if url else 'SQLite'}),"
        f" {dt.date.today()}, Python {platform.python_version()}, {os.cpu_count()} CPUs,"
        f" load average {os.getloadavg()[0]:.1f} at the end; times in ms"
    )
    print(table(outcome, scoped, title))
    reads = [s for _l, s in outcome.all() if s[1] == "read"]
    saves = [s for _l, s in outcome.all() if s[1] == "save"]
    met = (
        not outcome.failed
        and not any(s[3] for _l, s in outcome.all())
        and percentile([s[2] for s in reads], 0.95) <= READ_P95
        and percentile([s[2] for s in saves], 0.95) <= SAVE_P95
    )
    return 0 if met else 1
