"""Is the service account's SSH door as safe as ``psm ssh authorize`` left it?

A line added by hand to ``authorized_keys`` without ``command="psm --as …",restrict`` opens a
full shell as the service account, which owns the database: everything psm enforces is then
void. So every line must be bound to a registered person, and sshd must refuse passwords for
the account (a password login skips the forced command too).
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from psm_tui.core.errors import NotFoundError, ValidationError
from psm_tui.core.users import actor_for
from psm_tui.i18n import _
from psm_tui.ops.ssh_keys import KEY_TYPES, PublicKey

SSHD = Path("/usr/sbin/sshd")
_KEY_START = re.compile(r"(?:^|\s)(?:" + "|".join(map(re.escape, KEY_TYPES)) + r")\s")
_FORCED = re.compile(r"[^\s\"]+ --as ([^\s\"]+)")


@dataclass(frozen=True)
class KeyLine:
    """One key line of ``authorized_keys``: who it is bound to, or why it is not safe."""

    number: int
    username: str | None
    problem: str | None
    kind: str = ""
    fingerprint: str = ""
    comment: str = ""


def _options(text: str) -> list[str]:
    """The comma-separated options before the key, quotes kept (``command="a,b"`` is one)."""
    options, current, quoted = [], "", False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            options.append(current)
            current = ""
        else:
            current += char
    return [*options, current] if current else options


def _problem(options: list[str]) -> tuple[str | None, str | None]:
    """(bound username, problem) of a key line's options."""
    commands = [o[len("command=") :].strip('"') for o in options if o.startswith("command=")]
    if not commands:
        return None, _("no forced command: a full shell as the service account")
    forced = _FORCED.fullmatch(commands[0])
    if forced is None:
        return None, _("its forced command is not psm --as NAME")
    username = forced.group(1)
    if "restrict" not in options:
        return username, _("bound to {name} but without restrict").format(name=username)
    try:
        actor_for(username)
    except (NotFoundError, ValidationError):
        return username, _("bound to {name}, who is not a registered user").format(name=username)
    return username, None


def audit_keys(path: Path) -> list[KeyLine]:
    """Every key line of ``path`` (comments and blank lines skipped), in file order."""
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    result = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        start = _KEY_START.search(text)
        if start is None:
            result.append(KeyLine(number, None, _("not a key line sshd would accept from psm")))
            continue
        username, problem = _problem(_options(text[: start.start()].strip()))
        kind, blob, comment = [*text[start.start() :].split(None, 2), ""][:3]
        try:
            fingerprint = PublicKey(kind, blob, "").fingerprint
        except ValueError:
            fingerprint = "?"
        result.append(KeyLine(number, username, problem, kind, fingerprint, comment))
    return result


def sshd_settings(account: str) -> dict[str, list[str]] | None:
    """``sshd -T`` for a login of ``account`` from this host; None without sshd.

    sshd insists on a host key it can read, which the service account cannot (they are root's):
    a throw-away key lets it print the effective settings all the same.
    """
    if not SSHD.exists() or shutil.which("ssh-keygen") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        key = Path(folder) / "host"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
            check=True,
            capture_output=True,
        )
        done = subprocess.run(
            [str(SSHD), "-T", "-o", f"HostKey={key}", "-C",
             f"user={account},host=localhost,addr=127.0.0.1"],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise ValidationError(lines[-1] if lines else f"sshd -T: exit {done.returncode}")
    settings: dict[str, list[str]] = {}
    for line in done.stdout.splitlines():  # a list setting (acceptenv) comes one line a value
        name, _space, value = line.partition(" ")
        settings.setdefault(name.lower(), []).append(value)
    return settings


# What a client must not set for the forced psm: where the database is, which file names the
# service account, or code Python would run.
UNSAFE_ENV = ("PSM_DATABASE", "PSM_SYSTEM_CONFIG", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME",
              "LD_PRELOAD", "PATH", "HOME")  # fmt: skip


def unsafe_accept_env(patterns: list[str]) -> list[str]:
    """The ``AcceptEnv`` patterns that let a client set one of :data:`UNSAFE_ENV`."""
    return [p for p in patterns if any(fnmatch.fnmatchcase(name, p) for name in UNSAFE_ENV)]
