"""Many ``psm`` processes on one database: no lost update, no duplicate number, no 'database is
locked' reaching a user, every audit row present; and writers killed mid-transaction leave the
database consistent. Scale: see conftest (``PSM_STRESS=1`` for the full run)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from psm_tui import backend, database
from psm_tui.models import Activity, AuditLog, Case, CaseCounter, FollowUp
from psm_tui.services import cases, maintenance, users
from tests.stress.conftest import Scale, spawn

pytestmark = pytest.mark.stress


def _consistency_problems(path: Path) -> list[str]:
    """What a sound database never shows, read with a plain connection."""
    conn = sqlite3.connect(path)
    try:
        problems = backend.integrity_problems(conn)
        problems += [f"dangling {row}" for row in backend.foreign_key_problems(conn)]
        half = conn.execute(
            'SELECT c.number FROM "case" c WHERE NOT EXISTS (SELECT 1 FROM activity a WHERE '
            "a.case_id = c.id AND a.kind = 'status') OR NOT EXISTS (SELECT 1 FROM audit_log l "
            "WHERE l.case_number = c.number AND l.action = 'case.create')"
        ).fetchall()
        problems += [f"half-written case {number}" for (number,) in half]
        for year, last in conn.execute("SELECT year, last FROM case_counter"):
            numbers = [
                n
                for (n,) in conn.execute(
                    'SELECT number FROM "case" WHERE number LIKE ? ORDER BY number', (f"{year}-%",)
                )
            ]
            if numbers != [f"{year}-{i:06d}" for i in range(1, last + 1)]:
                problems.append(f"case numbers of {year} do not run 1..{last}")
    finally:
        conn.close()
    return problems


def test_many_processes_on_the_same_cases(stress_db: Path, scale: Scale, tmp_path: Path) -> None:
    admin = users.actor_for("tester")
    shared = [
        cases.register_case(
            admin, name=f"Klien {i}", kelurahan="Poris Plawad", category=8
        ).case.number
        for i in range(3)
    ]
    base_versions = {c.number: c.version for c in Case.select()}
    database.close_database()
    procs = [
        spawn(
            "mixed",
            stress_db,
            f"op{i}",
            "--ops",
            str(scale.operations),
            "--seed",
            str(i),
            "--cases",
            ",".join(shared),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for i in range(scale.processes)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    backup = tmp_path / "during.db"
    maintenance.backup_database(admin, backup)  # online, while they all write
    reports = []
    for proc in procs:
        out, _err = proc.communicate(timeout=300)
        assert proc.returncode == 0
        reports.append(json.loads(out))

    outcomes: Counter[str] = sum((Counter(r["outcomes"]) for r in reports), Counter())
    assert [e for r in reports for e in r["errors"]] == []
    assert (outcomes["locked"], outcomes["busy"], outcomes["operational"]) == (0, 0, 0), outcomes
    done = sum(
        outcomes[k] for k in ("register", "assign", "note", "followup", "update", "priority")
    )
    assert done > scale.processes * scale.operations // 2, outcomes

    registered = [n for r in reports for n in r["registered"]]
    assert len(registered) == len(set(registered)), "duplicate case number"
    assert {c.number for c in Case.select()} == set(shared) | set(registered)
    year = int(shared[0][:4])
    assert CaseCounter.get_by_id(year).last == Case.select().count()

    bumps = sum((Counter(r["versioned"]) for r in reports), Counter())
    notes = sum((Counter(r["notes"]) for r in reports), Counter())
    for number in shared:
        case = Case.get(Case.number == number)
        assert case.version == base_versions[number] + bumps[number], f"lost update on {number}"
        written = Activity.select().where(Activity.case == case.id, Activity.kind == "catatan")
        assert written.count() == notes[number], f"lost note on {number}"
    for number in registered:
        assert Case.get(Case.number == number).version == 1
    assert FollowUp.select().count() == sum(len(r["followups"]) for r in reports)

    for i, report in enumerate(reports):
        rows = Counter(
            a
            for (a,) in AuditLog.select(AuditLog.action)
            .where(AuditLog.username == f"op{i}")
            .tuples()
        )
        assert rows == Counter(report["audit"]), f"audit rows of op{i}"

    assert _consistency_problems(stress_db) == []
    assert _consistency_problems(backup) == []
    print(  # the figures for the closing note (shown with -s)
        f"\n{scale.processes} processes x {scale.operations} operations: {dict(outcomes)}; "
        f"{Case.select().count()} cases, {AuditLog.select().count()} audit rows"
    )
    restored = tmp_path / "restored" / "psm.db"
    database.open_database(str(restored))
    maintenance.restore_database(None, backup)
    report = maintenance.check_database()
    assert report.ok, report
    assert 3 <= Case.select().count() <= 3 + len(registered)


def _read_log(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if len(line) == 11]


def test_writers_killed_mid_transaction_leave_the_database_consistent(
    stress_db: Path, scale: Scale, tmp_path: Path
) -> None:
    """SIGKILL at random points of a stream of writes, and inside an open transaction."""
    database.close_database()
    rng = random.Random(7)
    log = tmp_path / "committed.log"
    log.touch()
    for kill in range(scale.kills):
        if kill % 5 == 0:
            proc = spawn("hold", stress_db, "op1", stdout=subprocess.PIPE)
            assert proc.stdout is not None and proc.stdout.readline() == "inside\n"
        else:
            proc = spawn("loop", stress_db, "op0", "--log", str(log), stdout=subprocess.PIPE)
            assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
            time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        problems = _consistency_problems(stress_db)
        assert problems == [], f"after kill {kill + 1}: {problems}"
    database.open_database(str(stress_db))
    committed = _read_log(log)
    numbers = {c.number for c in Case.select()}
    assert set(committed) <= numbers, "a committed case was lost"
    assert Case.select().where(Case.description == "").count() == 0  # no 'hold' case survived
    assert len(numbers) >= len(committed)


def _session_alive(sid: int) -> list[int]:
    """Processes still in session ``sid``."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


def _run_in_terminal(argv: list[str], ready: bytes, env: dict[str, str]) -> tuple[int, int]:
    """Start ``argv`` as a session leader on a new pty; return (pid, master fd) once ``ready``
    appeared on its screen (empty ``ready``: once it has drawn a screenful)."""
    import pty

    pid, master = pty.fork()
    if pid == 0:  # the child: its own session with the pty as controlling terminal
        os.chdir(Path(__file__).resolve().parents[2])
        os.execve(argv[0], argv, env)
    seen = b""
    deadline = time.monotonic() + 60
    while not _shown(ready, seen) and time.monotonic() < deadline:
        try:
            seen += os.read(master, 4096)
        except OSError:
            break
    assert _shown(ready, seen), seen[-500:]
    return pid, master


def _shown(ready: bytes, seen: bytes) -> bool:
    return ready in seen if ready else len(seen) > 4000


def _hang_up(pid: int, master: int) -> int:
    """Drop the terminal like sshd does when the connection goes: close the pty master."""
    os.close(master)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("the process ignored the hang-up")


def test_a_dropped_terminal_loses_no_committed_work(stress_db: Path, tmp_path: Path) -> None:
    """SIGHUP (the pty closing) to a writing psm process: it ends, leaves nothing behind, and
    every case it committed is there."""
    import sys

    database.close_database()
    log = tmp_path / "committed.log"
    log.touch()
    env = {**os.environ, "TERM": "xterm", "PYTHONUNBUFFERED": "1"}
    argv = [
        sys.executable,
        "-m",
        "tests.stress.worker",
        "loop",
        "--db",
        str(stress_db),
        "--user",
        "op0",
        "--log",
        str(log),
    ]
    pid, master = _run_in_terminal(argv, b"ready", env)
    while len(_read_log(log)) < 3:
        time.sleep(0.02)
    status = _hang_up(pid, master)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGHUP
    assert _session_alive(pid) == []
    assert _consistency_problems(stress_db) == []
    database.open_database(str(stress_db))
    assert set(_read_log(log)) <= {c.number for c in Case.select()}


def test_a_dropped_terminal_during_psm_demo_leaves_all_or_nothing(tmp_path: Path) -> None:
    """The real ``psm`` command, hung up while it fills a database in one transaction."""
    import sys

    path = tmp_path / "demo.db"
    env = {**os.environ, "TERM": "xterm", "PSM_LANG": "en"}
    subprocess.run(
        [sys.executable, "-m", "psm_tui", "--db", str(path), "init"],
        check=True,
        env=env,
        capture_output=True,
    )
    argv = [
        sys.executable,
        "-m",
        "psm_tui",
        "--db",
        str(path),
        "demo",
        "--no-open",
        "--cases",
        "20000",
    ]
    pid, master = _run_in_terminal(argv, b"Generating", env)
    _hang_up(pid, master)
    assert _session_alive(pid) == []
    conn = sqlite3.connect(path)
    try:
        assert backend.integrity_problems(conn) == []
        assert backend.foreign_key_problems(conn) == []
        assert conn.execute('SELECT COUNT(*) FROM "case"').fetchone()[0] in (0, 20000)
    finally:
        conn.close()


def test_a_dropped_terminal_ends_the_app(tmp_path: Path) -> None:
    """The TUI itself (as the OS user, who ``psm init`` made admin), hung up like a dropped SSH
    connection: it ends, and leaves no process and a sound database behind."""
    import sys

    path = tmp_path / "psm.db"
    env = {**os.environ, "TERM": "xterm-256color", "PSM_LANG": "en"}
    subprocess.run(
        [sys.executable, "-m", "psm_tui", "--db", str(path), "init"],
        check=True,
        env=env,
        capture_output=True,
    )
    pid, master = _run_in_terminal([sys.executable, "-m", "psm_tui", "--db", str(path)], b"", env)
    status = _hang_up(pid, master)
    assert os.WIFSIGNALED(status) or os.WIFEXITED(status)
    assert _session_alive(pid) == []
    assert _consistency_problems(path) == []
