"""The peak resident memory of a ``psm`` process itself, whatever started it.

``wait4``'s ``ru_maxrss``, and ``getrusage(RUSAGE_SELF)`` read inside the child, keep the
largest of every memory map the process had, including the one it held between ``fork`` (or
``vfork``) and ``exec``: a copy of the parent's. A bench that has just loaded a 100k database
thus reported 266 MiB for a 66 MiB TUI session. ``VmHWM`` in ``/proc/PID/status`` belongs to the
current map, which ``exec`` replaces, so it is the program's own peak. :data:`CHILD` runs
``psm ARGS`` in process (``python -c CHILD ARGS``) and, as it exits, writes its ``VmHWM`` in KiB
to the file named by :data:`ENV`.
"""

from __future__ import annotations

from pathlib import Path

ENV = "PEAK_RSS_FILE"
# No single quote inside: a test passes it to ``sh -c`` between single quotes.
CHILD = f"""
import os, sys
from psm_tui.cli import main
try:
    main(sys.argv[1:])
finally:
    with open("/proc/self/status") as status, open(os.environ["{ENV}"], "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""


def peak_kib(pid: int | str = "self") -> int:
    """``VmHWM`` of a live process: its own peak so far, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no VmHWM")


def read_kib(path: Path) -> int:
    """What :data:`CHILD` wrote to ``path``; 0 when the process died before writing it."""
    return int(path.read_text()) if path.exists() else 0
