"""The file boundary: which files a person may make psm read or write, decided in one place.

psm runs as whoever started it. Over SSH that is the shared service account, which owns the
database, its backups and ``~/.ssh``: a path typed by a staff member must never reach those.

* A **remote** person (a forced ``psm --as NAME`` command) names no server paths at all: exports
  and reports go to standard output or to their own *outbox* folder, imports come from standard
  input or that outbox. A value holding ``/`` is refused with a line saying what to do instead.
* A **local** OS user names paths, through :mod:`file_output` (one safe writer) and
  :mod:`file_input` (one bounded reader). Even then psm never writes hidden files or folders
  (``.ssh``, ``.profile``, ``.config``), ``authorized_keys``, the database's folder, the backups
  folder, the outboxes or the configuration folders.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from psm_tui.config import APP_NAME, SYSTEM_CONFIG, Settings, user_config_path
from psm_tui.core.dto import Actor
from psm_tui.core.errors import UnsafePathError
from psm_tui.core.validation import safe_display
from psm_tui.i18n import _
from psm_tui.store.database import parse_location

MIB = 1024 * 1024
STDIO = "-"


@dataclass(frozen=True)
class Limits:
    """What a file to import may cost; every figure is checked while reading."""

    max_bytes: int = 64 * MIB
    max_rows: int = 200_000
    max_unzipped: int = 512 * MIB  # an XLSX's parts, uncompressed
    max_ratio: int = 100  # uncompressed : compressed
    max_shared_strings: int = 64 * MIB  # the one XLSX part a reader must hold whole
    max_parts: int = 10_000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Boundary:
    """The rules for one person's session."""

    remote: bool
    username: str
    outbox_root: Path
    backups: Path
    protected: tuple[Path, ...]  # folders a named path may never be written into
    limits: Limits = DEFAULT_LIMITS
    outbox_quota: int = 512 * MIB
    outbox_days: int = 7

    @property
    def outbox(self) -> Path:
        """This person's own outbox folder."""
        return self.outbox_root / self.username


def _data_folder(settings: Settings) -> Path:
    """The database's folder (SQLite), or psm's data folder (PostgreSQL)."""
    kind, target = parse_location(settings.database_or_default)
    if kind == "sqlite":
        return Path(target).expanduser().absolute().parent
    return Path(platformdirs.user_data_dir(APP_NAME))


def backups_folder(settings: Settings) -> Path:
    return Path(settings.backup_dir or _data_folder(settings) / "backups").expanduser()


def boundary_for(settings: Settings, actor: Actor) -> Boundary:
    data = _data_folder(settings)
    outbox_root = Path(settings.outbox_dir or data / "outbox").expanduser()
    backups = backups_folder(settings)
    protected = (data, backups, outbox_root, SYSTEM_CONFIG.parent, user_config_path().parent)
    return Boundary(
        remote=actor.remote,
        username=actor.username,
        outbox_root=outbox_root,
        backups=backups,
        protected=tuple(_real(p) for p in protected),
        limits=Limits(max_bytes=settings.import_max_mib * MIB, max_rows=settings.import_max_rows),
        outbox_quota=settings.outbox_quota_mib * MIB,
        outbox_days=settings.outbox_days,
    )


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path.expanduser()))


def remote_path_refusal(value: str, hint: str) -> UnsafePathError:
    """The one line a remote person gets for a server path; ``hint`` says what to do instead."""
    return UnsafePathError(
        _("Over SSH psm does not use paths on the server ({path}). {hint}").format(
            path=safe_display(value), hint=hint
        )
    )


def refuse_remote_path(boundary: Boundary, value: str, hint: str) -> None:
    """Over SSH a value naming a folder is refused."""
    if boundary.remote and "/" in value:
        raise remote_path_refusal(value, hint)


def check_name(name: str) -> str:
    """A file name psm makes in a folder of its own (outbox, backups): one plain word."""
    if (
        not name
        or name in (".", "..")
        or name.startswith(".")
        or "/" in name
        or "\0" in name
        or len(name.encode()) > 200
        or not name.isprintable()
    ):
        raise UnsafePathError(
            _("{name} is not a usable file name (no /, no leading dot)").format(
                name=safe_display(name)
            )
        )
    return name


def refuse_protected(boundary: Boundary, target: Path, *, backup: bool = False) -> None:
    """Refuse a named path (already resolved) that psm must never write.

    A ``backup`` belongs in the database's or the backups folder; everything else does not.
    """
    shown = safe_display(str(target))
    if any(part.startswith(".") for part in target.parts[1:]):
        raise UnsafePathError(
            _(
                "{path}: psm never writes hidden files or folders (.ssh, .profile, .config ...); "
                "choose another name or folder"
            ).format(path=shown)
        )
    if target.name.startswith("authorized_keys"):
        raise UnsafePathError(_("{path} is an SSH file; psm does not touch it").format(path=shown))
    protected = boundary.protected[2:] if backup else boundary.protected
    for folder in protected:
        if target == folder or folder in target.parents:
            raise UnsafePathError(
                _(
                    "{path} is inside {folder}, which holds the database, its backups or psm's "
                    "settings; choose another folder"
                ).format(path=shown, folder=safe_display(str(folder)))
            )
