"""The bench's peak RSS is the measured program's own, not that of the bench it was forked from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.rss import CHILD, ENV, peak_kib, read_kib

BALLAST_MIB = 128


def test_a_child_of_a_large_parent_reports_its_own_peak(tmp_path: Path) -> None:
    ballast = b"x" * (BALLAST_MIB * 1024 * 1024)  # written pages: the parent is now large
    assert peak_kib() > BALLAST_MIB * 1024
    out = tmp_path / "peak"
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, "--version"],
        env={**os.environ, ENV: str(out)},
        stdout=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert usage.ru_maxrss > BALLAST_MIB * 1024  # what the kernel counts: the parent's pages too
    assert 0 < read_kib(out) < BALLAST_MIB * 1024  # psm's own
    del ballast
