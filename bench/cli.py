"""CLI cold start: wall time of whole ``psm`` processes (the installed entry point, not
``uv run``, whose own start-up is not the application's)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.stats import Row, Target

CLI_TARGET = Target(0.400)
PYCACHE = Path(__file__).resolve().parent / ".cache" / "pycache"


def psm_executable() -> list[str]:
    script = Path(sys.executable).with_name("psm")
    if script.exists():
        return [str(script)]
    found = shutil.which("psm")
    return [found] if found else [sys.executable, "-m", "psm_tui"]


def _environment(home: str) -> dict[str, str]:
    """A clean user (own HOME, no PSM_* settings) on an installed-like Python: bytecode is
    cached (under bench/.cache) even where PYTHONDONTWRITEBYTECODE is set, as an install has."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PSM_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env.update(
        HOME=home,
        XDG_CONFIG_HOME=f"{home}/.config",
        XDG_DATA_HOME=f"{home}/.local/share",
        XDG_STATE_HOME=f"{home}/.local/state",
        PSM_LANG="en",
    )
    return env


def wall(args: list[str], env: dict[str, str], trials: int) -> list[float]:
    samples = []
    for index in range(trials + 1):  # the first run warms the page cache, untimed
        start = time.perf_counter()
        done = subprocess.run(
            args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False
        )
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip()}")
        if index:
            samples.append(elapsed)
    return samples


def measure(path: Path | str, trials: int, case_number: str) -> list[Row]:
    trials = trials or 5
    psm = psm_executable()
    rows = []
    with tempfile.TemporaryDirectory() as home:
        env = _environment(home)
        db = ["--db", str(path)]
        commands = [
            ("psm --version", [*psm, "--version"], None),
            (
                "psm case list --limit 50 --json",
                psm + db + ["case", "list", "--limit", "50", "--json"],
                CLI_TARGET,
            ),
            (
                f"psm case show {case_number} --json",
                psm + db + ["case", "show", case_number, "--json"],
                CLI_TARGET,
            ),
            (
                "psm case list --search 'kursi roda' --json",
                psm + db + ["case", "list", "--search", "kursi roda", "--json"],
                None,
            ),
        ]
        if _has_command(psm, env, "summary"):
            commands.append(("psm summary", psm + db + ["summary"], Target(2.0)))
        for name, args, target in commands:
            rows.append(Row("cli", name, wall(args, env, trials), target=target))
    return rows


def _has_command(psm: list[str], env: dict[str, str], name: str) -> bool:
    done = subprocess.run([*psm, name, "--help"], env=env, capture_output=True, check=False)
    return done.returncode == 0
