"""Who a connected psm process is, in words an admin can act on: ``siti (pid 5035, since 09:12)``.

Every SSH session runs as the service account, so the process owner says nothing; the person is
the ``--as`` of the forced command (``command="psm --as siti"``), which is in the process's own
command line. A process without ``--as`` is named by its login (the console, staff-group mode).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from psm_tui.core import clock
from psm_tui.core.errors import ValidationError
from psm_tui.core.validation import validate_username
from psm_tui.i18n import _, format_datetime
from psm_tui.store import maintenance as backend_maintenance


def acting_as(arguments: list[str]) -> str | None:
    """The ``--as`` of a psm command line, if it names a valid login."""
    for index, argument in enumerate(arguments):
        if argument == "--as" and index + 1 < len(arguments):
            name = arguments[index + 1]
        elif argument.startswith("--as="):
            name = argument[len("--as=") :]
        else:
            continue
        try:
            return validate_username(name)
        except ValidationError:
            return None
    return None


def _arguments(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def started(pid: int) -> dt.datetime | None:
    """When the process started (``/proc/PID/stat`` counts clock ticks since boot)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (OSError, StopIteration, ValueError):
        return None
    ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22; the name may hold spaces
    return dt.datetime.fromtimestamp(boot + ticks / os.sysconf("SC_CLK_TCK")).replace(microsecond=0)


def describe(pid: int) -> str:
    """``siti (pid 5035, since 09:12)``; the day too when it started before today."""
    who = acting_as(_arguments(pid)) or backend_maintenance.process_owner(pid)
    since = started(pid)
    if since is None:
        return _("{who} (pid {pid})").format(who=who, pid=pid)
    when = f"{since:%H:%M}" if since.date() == clock.today() else format_datetime(since)
    return _("{who} (pid {pid}, since {when})").format(who=who, pid=pid, when=when)
