"""TUI measures through a real pseudo-terminal, as an SSH session sees them.

``psm --db X`` runs on a pty at 80x24 with ``TERM=xterm-256color`` (no ``COLORTERM``, as over
SSH); every byte the app writes is counted. A step "settles" when nothing has been written for
:data:`QUIET` seconds; its time is that of its last byte. Peak RSS is the app's own ``VmHWM``
(:mod:`bench.rss`), not ``wait4``'s, which would count the forked bench.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

from bench.cli import _environment
from bench.rss import CHILD, ENV, peak_kib, read_kib
from bench.stats import Row, Target

QUIET = 1.0
TRANSCRIPT = Path(__file__).resolve().parent / ".cache" / "tui-transcript.bin"
COLS, LINES = 80, 24


@dataclass
class Step:
    bytes: int
    last: float  # perf_counter of the last byte (or of the start when nothing came)


class Session:
    def __init__(self, path: Path, home: str) -> None:
        env = _environment(home)
        env.update(TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(LINES))
        env.pop("COLORTERM", None)
        self.peak_file = Path(home) / "peak-rss"
        env[ENV] = str(self.peak_file)
        args = [sys.executable, "-c", CHILD, "--db", str(path)]
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # child: size the terminal, then become psm
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLS, 0, 0))
            os.execve(args[0], args, env)
        self.pid, self.fd = pid, fd
        self.transcript = bytearray()

    def read_for(self, seconds: float) -> int:
        """Every byte written during ``seconds``."""
        end = time.perf_counter() + seconds
        count = 0
        while (left := end - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                count += self._read()
        return count

    def settle(self, quiet: float = QUIET, first: float = 10.0) -> Step:
        """Bytes until the app has been silent for ``quiet`` seconds (waiting up to ``first``
        seconds for it to start answering)."""
        start = last = time.perf_counter()
        count = 0
        wait = first
        while time.perf_counter() - start < 60:
            ready, _, _ = select.select([self.fd], [], [], wait)
            if not ready:
                break
            got = self._read()
            if got == 0:
                break
            count += got
            last = time.perf_counter()
            wait = quiet
        return Step(count, last)

    def _read(self) -> int:
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return 0
        self.transcript += data
        return len(data)

    def press(self, keys: str, quiet: float = QUIET) -> Step:
        os.write(self.fd, keys.encode())
        return self.settle(quiet, first=5.0)

    def quit(self) -> int:
        """End the app; its peak RSS in KiB."""
        for keys in ("\x1b", "q", "\x11"):
            os.write(self.fd, keys.encode())
            deadline = time.perf_counter() + 3
            while time.perf_counter() < deadline:
                self.settle(0.5)
                done, _status = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    os.close(self.fd)
                    return read_kib(self.peak_file)
        peak = peak_kib(self.pid)
        os.kill(self.pid, signal.SIGTERM)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
        return peak


def measure(path: Path, trials: int) -> list[Row]:
    if not Path(__file__).resolve().parents[1].joinpath("psm_tui", "tui", "app.py").exists():
        return []
    trials = trials or 3
    paint, first, cursor, dialog, idle, rss = [], [], [], [], [], []
    for _ in range(trials):
        with tempfile.TemporaryDirectory() as home:
            session = Session(path, home)
            step = session.settle(quiet=2.0, first=30.0)
            paint.append(step.last - session.started)
            first.append(step.bytes / 1024)
            session.press("2", quiet=2.0)  # the Kasus view, its first page loaded
            cursor.append(session.press("j").bytes)
            dialog.append(session.press("c").bytes / 1024)
            session.press("\x1b")
            idle.append(session.read_for(10.0))
            rss.append(session.quit() / 1024)
            TRANSCRIPT.write_bytes(bytes(session.transcript))
    return [
        Row("tui", "start to first painted screen", paint, target=Target(1.0)),
        Row("tui", "bytes: first screen", first, unit="KiB", target=Target(12, "KiB")),
        Row("tui", "bytes: one cursor move (list)", cursor, unit="B", target=Target(1024, "B")),
        Row("tui", "bytes: opening a dialog (note)", dialog, unit="KiB", target=Target(8, "KiB")),
        Row("tui", "bytes: ten idle seconds", idle, unit="B", target=Target(0, "B")),
        Row("tui", "peak RSS of the session", rss, unit="MiB", target=Target(80, "MiB")),
    ]


def datatable_baseline(path: Path, trials: int) -> list[float]:
    """Seconds to show every case in a DataTable (the usual Textual way), each in a fresh
    process so imports and memory do not leak between trials."""
    samples = []
    for _ in range(trials):
        done = subprocess.run(
            [sys.executable, "-m", "bench.datatable", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        samples.append(float(done.stdout.split()[-1]))
    return samples
