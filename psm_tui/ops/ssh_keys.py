"""Binding staff SSH keys to their identity on the shared service account.

Each key gets one ``authorized_keys`` line with a forced command, the way gitolite does it::

    command="psm --as siti",restrict,pty ssh-ed25519 AAAA... siti@laptop

sshd then runs only ``psm --as siti`` for that key, whatever the client asks for; ``--as`` is
honoured only when psm runs as the service account (see ``users.resolve_actor``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import os
import pwd
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from psm_tui.config import SYSTEM_CONFIG
from psm_tui.core import audit
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ConflictError, NotFoundError, ValidationError
from psm_tui.core.users import actor_for, require
from psm_tui.core.validation import validate_username
from psm_tui.i18n import _

KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)
_KEY = re.compile(r"(?:^|\s)(" + "|".join(map(re.escape, KEY_TYPES)) + r")\s+([A-Za-z0-9+/]+=*)")
_BOUND = re.compile(r'command="[^"]*\s--as\s+([^"\s]+)"')


@dataclass(frozen=True)
class PublicKey:
    kind: str
    blob: str
    comment: str

    @property
    def fingerprint(self) -> str:
        """As ``ssh-keygen -l`` shows it: ``SHA256:...``."""
        digest = hashlib.sha256(base64.b64decode(self.blob)).digest()
        return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class KeyBinding:
    username: str
    kind: str
    fingerprint: str
    comment: str


@dataclass(frozen=True)
class AuthorizeResult:
    path: Path
    line: str
    fingerprint: str
    changed: bool


def parse_public_key(text: str) -> PublicKey:
    """One OpenSSH public key (the ``.pub`` file), checked: type, base64, and that they agree."""
    if "PRIVATE KEY" in text:
        raise ValidationError(_("This is a private key; give the .pub file"), "key")
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if len(lines) != 1:
        raise ValidationError(
            _("Give exactly one public key (found {count} lines)").format(count=len(lines)), "key"
        )
    fields = lines[0].split(None, 2)
    if len(fields) < 2 or fields[0] not in KEY_TYPES:
        raise ValidationError(
            _("Not an OpenSSH public key: it must start with one of {types}").format(
                types=", ".join(KEY_TYPES[:3])
            ),
            "key",
        )
    kind, blob = fields[0], fields[1]
    try:
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError(_("The key is not valid base64"), "key") from error
    size = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else -1
    if raw[4 : 4 + size] != kind.encode() or len(raw) < 4 + size + 16:
        raise ValidationError(
            _("The key data does not match its type {kind}").format(kind=kind), "key"
        )
    comment = "".join(ch for ch in (fields[2] if len(fields) > 2 else "") if ch.isprintable())
    return PublicKey(kind, blob, comment.strip())


def forced_line(username: str, key: PublicKey, program: str = "psm") -> str:
    line = f'command="{program} --as {username}",restrict,pty {key.kind} {key.blob}'
    return f"{line} {key.comment}" if key.comment else line


def default_file(service_account: str) -> Path:
    """The service account's ``~/.ssh/authorized_keys``."""
    if not service_account:
        raise ValidationError(
            _(
                'No service account is set in {config} (service_account = "..."); '
                "set it or give --file"
            ).format(config=SYSTEM_CONFIG),
            "file",
        )
    try:
        home = pwd.getpwnam(service_account).pw_dir
    except KeyError as error:
        raise ValidationError(
            _("The service account {name} is not a user of this server").format(
                name=service_account
            ),
            "file",
        ) from error
    return Path(home) / ".ssh" / "authorized_keys"


def _parse_line(line: str) -> tuple[str | None, str | None]:
    """(blob, bound username) of an ``authorized_keys`` line; None where there is none."""
    key = _KEY.search(line)
    if key is None or line.lstrip().startswith("#"):
        return None, None
    options = line[: key.start()]
    bound = _BOUND.search(options)
    return key.group(2), bound.group(1) if bound else None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[list[str]]:
    """The file's lines, under a lock on its folder, for one read-modify-write."""
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True)
        _give_to_owner(folder, folder.parent)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield path.read_text().splitlines() if path.exists() else []
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _give_to_owner(path: Path, like: Path) -> None:
    """Run as root for the service account: sshd refuses files the account does not own."""
    if os.geteuid() == 0:
        info = like.stat()
        os.chown(path, info.st_uid, info.st_gid)


def _write(path: Path, lines: list[str]) -> None:
    """Replace the file atomically, 0600, keeping its owner."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    try:
        os.write(fd, "".join(line + "\n" for line in lines).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    _give_to_owner(temporary, path if path.exists() else path.parent)
    os.replace(temporary, path)


def authorize(
    actor: Actor, username: str, key_text: str, path: Path, program: str = "psm"
) -> AuthorizeResult:
    """Bind a key to a registered staff user (admins only); running it twice changes nothing."""
    require(actor, "user.manage")
    username = validate_username(username)  # also what makes it safe in a forced command
    if not program.strip() or any(ch in program for ch in '"\\\n\r'):
        raise ValidationError(
            _("{program} cannot be used in a forced command").format(program=program), "program"
        )
    actor_for(username)  # a registered user, or NotFoundError
    key = parse_public_key(key_text)
    line = forced_line(username, key, program)
    with _locked(path) as lines:
        for number, existing in enumerate(lines, start=1):
            blob, bound = _parse_line(existing)
            if blob != key.blob:
                continue
            if bound is None:
                raise ConflictError(
                    _(
                        "This key already opens {path} without restriction "
                        "(line {n}); remove that line first"
                    ).format(path=path, n=number)
                )
            if bound != username:
                raise ConflictError(
                    _(
                        "This key is already bound to {other}; first run: psm ssh revoke {other}"
                    ).format(other=bound)
                )
            if existing == line:
                return AuthorizeResult(path, line, key.fingerprint, changed=False)
            lines[number - 1] = line
            break
        else:
            lines.append(line)
        _write(path, lines)
    audit.record(
        actor, "ssh.authorize", "user", username, {"key": [None, key.fingerprint]}, detail=str(path)
    )
    return AuthorizeResult(path, line, key.fingerprint, changed=True)


def revoke(actor: Actor, username: str, path: Path) -> list[str]:
    """Remove every key bound to ``username``; returns their fingerprints."""
    require(actor, "user.manage")
    username = validate_username(username)
    removed: list[str] = []
    with _locked(path) as lines:
        kept = []
        for existing in lines:
            blob, bound = _parse_line(existing)
            if blob and bound == username:
                removed.append(PublicKey("", blob, "").fingerprint)
            else:
                kept.append(existing)
        if not removed:
            raise NotFoundError(
                _("No key is bound to {name} in {path}").format(name=username, path=path)
            )
        _write(path, kept)
    audit.record(actor, "ssh.revoke", "user", username, {"key": [removed, None]}, detail=str(path))
    return removed


def bindings(path: Path) -> list[KeyBinding]:
    """The keys bound to a staff identity, in file order."""
    result = []
    for existing in path.read_text().splitlines() if path.exists() else []:
        blob, bound = _parse_line(existing)
        key = _KEY.search(existing)
        if blob and bound and key:
            comment = existing[key.end() :].strip()
            result.append(
                KeyBinding(bound, key.group(1), PublicKey("", blob, "").fingerprint, comment)
            )
    return result


def list_bindings(actor: Actor, path: Path) -> list[KeyBinding]:
    """:func:`bindings` for an admin: fingerprints and comments say who logs in from where."""
    require(actor, "ssh.list")
    return bindings(path)
