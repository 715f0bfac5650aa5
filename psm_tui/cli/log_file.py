"""psm's log file: where internal errors go, from the CLI and from the TUI (whose stderr is the
screen). Its own module so that ``cli.tui`` need not import the ``cli`` package back."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

import platformdirs

from psm_tui.config import APP_NAME


def log_stream() -> tuple[IO[str], str]:
    """psm's log file, created 0600 (tracebacks can hold personal data), never via a link."""
    path = Path(platformdirs.user_log_dir(APP_NAME)) / "psm.log"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "a", encoding="utf-8"), str(path)
