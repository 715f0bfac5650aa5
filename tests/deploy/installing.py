"""Running ``deploy/install.sh`` from a test: uv and its cache are the real user's, not the
isolated test home's (the install needs no network when the cache holds uv.lock's wheels)."""

from __future__ import annotations

import os
import pwd
import shutil
from pathlib import Path

INSTALL = Path(__file__).resolve().parents[2] / "deploy" / "install.sh"
_REAL_HOME = Path(pwd.getpwuid(os.getuid()).pw_dir)
UV_CACHE = os.environ.get("UV_CACHE_DIR") or str(_REAL_HOME / ".cache" / "uv")


def uv_missing() -> bool:
    return shutil.which("uv") is None and not (_REAL_HOME / ".local/bin/uv").exists()


def install_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "HOME": str(_REAL_HOME), "UV_CACHE_DIR": UV_CACHE, **extra}
