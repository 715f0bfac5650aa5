"""A dropped SSH connection (the pty hung up, SIGHUP): psm ends, leaves no process behind and
loses nothing it committed."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from psm_tui.store import database
from psm_tui.store import maintenance as backend_maintenance
from psm_tui.store.models import Case
from tests.stress.conftest import FULL, consistency_problems, read_log

pytestmark = pytest.mark.stress


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
    appeared on its screen (empty ``ready``: once it has drawn a screen and gone quiet)."""
    import pty

    pid, master = pty.fork()
    if pid == 0:  # the child: its own session with the pty as controlling terminal
        os.chdir(Path(__file__).resolve().parents[2])
        os.execve(argv[0], argv, env)
    seen, last_output = b"", time.monotonic()
    deadline = last_output + 60
    while time.monotonic() < deadline:
        if ready and ready in seen:
            break
        if not ready and seen and time.monotonic() - last_output > 1.0:
            break  # a whole first screen, then a quiet second
        readable, _, _ = select.select([master], [], [], 0.2)
        if readable:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            seen, last_output = seen + chunk, time.monotonic()
    assert (ready in seen) if ready else seen, seen[-500:]
    return pid, master


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
    while len(read_log(log)) < 3:
        time.sleep(0.02)
    status = _hang_up(pid, master)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGHUP
    assert _session_alive(pid) == []
    assert consistency_problems(stress_db) == []
    database.open_database(str(stress_db))
    assert set(read_log(log)) <= {c.number for c in Case.select()}


@pytest.mark.skipif(not FULL, reason="PSM_STRESS=1 only: the app test covers the real psm")
def test_a_dropped_terminal_during_psm_demo_leaves_all_or_nothing(tmp_path: Path) -> None:
    """The real ``psm`` command, hung up while it fills a database in one transaction."""
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
        assert backend_maintenance.integrity_problems(conn) == []
        assert backend_maintenance.foreign_key_problems(conn) == []
        assert conn.execute('SELECT COUNT(*) FROM "case"').fetchone()[0] in (0, 20000)
    finally:
        conn.close()


def test_a_dropped_terminal_ends_the_app(tmp_path: Path) -> None:
    """The TUI itself (as the OS user, who ``psm init`` made admin), hung up like a dropped SSH
    connection: it ends, and leaves no process and a sound database behind."""
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
    assert consistency_problems(path) == []
