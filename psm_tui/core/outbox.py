"""A remote person's outbox: the one server folder their files go to and come from.

Over SSH a staff member names no server paths. What they make in the app (an export, a refusal
report) lands in ``<outbox>/<username>/`` (0700, files 0600), and they fetch it with
``ssh dinsos outbox get NAME > NAME``; a file to import in the app is first put there with
``ssh dinsos outbox put NAME < NAME``. The folder is bounded: files older than ``outbox_days``
leave it, and past the quota the oldest files go first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from psm_tui.core import audit
from psm_tui.core.dto import Actor
from psm_tui.core.errors import NotFoundError, TooLargeError, UnsafePathError
from psm_tui.core.files.boundary import MIB, Boundary, check_name
from psm_tui.core.files.input import CHUNK, InputFile, open_path, too_large
from psm_tui.core.files.output import FileOutput
from psm_tui.core.validation import safe_display
from psm_tui.i18n import _, format_number


@dataclass(frozen=True)
class OutboxOutput(FileOutput):
    """A file in the person's outbox; :func:`fetch_hint` says how to take it home."""


def fetch_hint(name: str) -> str:
    return _("Fetch it with: ssh dinsos outbox get {name} > {name}").format(name=safe_display(name))


@dataclass(frozen=True)
class OutboxEntry:
    name: str
    size: int
    modified: dt.datetime


def _private_folder(path: Path) -> None:
    """Create ``path`` 0700, or accept it only as a real folder of ours that only we can use."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        raise UnsafePathError(
            _("{path} is not a folder psm owns; ask the administrator").format(
                path=safe_display(str(path))
            )
        )
    if info.st_mode & 0o077:
        os.chmod(path, 0o700)


def folder(boundary: Boundary) -> Path:
    """This person's outbox, created on first use."""
    root = boundary.outbox_root
    root.parent.mkdir(parents=True, exist_ok=True)
    _private_folder(root)
    _private_folder(boundary.outbox)
    return boundary.outbox


def _files(path: Path) -> list[tuple[str, os.stat_result]]:
    found = []
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue  # a write in progress
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode):
                found.append((entry.name, info))
    return found


def prune(boundary: Boundary, keep: str | None = None) -> None:
    """Drop files past their age, then the oldest ones while the folder is over its quota."""
    path = folder(boundary)
    oldest_allowed = time.time() - boundary.outbox_days * 86400
    files = sorted(_files(path), key=lambda item: item[1].st_mtime)
    for name, info in files:
        if info.st_mtime < oldest_allowed and name != keep:
            (path / name).unlink(missing_ok=True)
    files = [(n, i) for n, i in files if (path / n).exists()]
    total = sum(info.st_size for _n, info in files)
    for name, info in files:
        if total <= boundary.outbox_quota:
            break
        if name != keep:
            (path / name).unlink(missing_ok=True)
            total -= info.st_size


def entries(boundary: Boundary) -> list[OutboxEntry]:
    prune(boundary)
    return [
        OutboxEntry(name, info.st_size, dt.datetime.fromtimestamp(info.st_mtime))
        for name, info in sorted(_files(folder(boundary)))
    ]


def output(boundary: Boundary, name: str) -> OutboxOutput:
    """Where an export or report of this person goes: their outbox, replacing a namesake."""

    def settle(path: Path) -> None:
        if path.stat().st_size > boundary.outbox_quota:
            path.unlink(missing_ok=True)
            raise TooLargeError(
                _(
                    "The file is larger than your outbox ({size} MiB); get it on standard "
                    "output instead: ssh dinsos export ... > FILE"
                ).format(size=format_number(boundary.outbox_quota // MIB))
            )
        prune(boundary, keep=path.name)

    return OutboxOutput(
        folder(boundary), check_name(name), force=True, after=settle, shown=f"outbox/{name}"
    )


@contextlib.contextmanager
def open_file(boundary: Boundary, name: str) -> Iterator[InputFile]:
    path = folder(boundary) / check_name(name)
    if not path.exists():
        raise NotFoundError(
            _("No file {name} in your outbox (see: psm outbox list)").format(
                name=safe_display(name)
            )
        )
    with open_path(path, max(boundary.outbox_quota, boundary.limits.max_bytes),
                   follow_symlinks=False) as file:  # fmt: skip
        yield file


def get(actor: Actor, boundary: Boundary, name: str, target: BinaryIO) -> int:
    """Copy an outbox file to ``target`` (standard output); audited, as the data leaves."""
    with open_file(boundary, name) as file:
        audit.record(actor, "outbox.get", "file", name, {"bytes": file.size})
        shutil.copyfileobj(file.stream, target, CHUNK)
    return file.size


def put(boundary: Boundary, name: str, source: BinaryIO) -> int:
    """Store what arrives on ``source`` (standard input) as ``name``, up to the import cap."""
    cap = boundary.limits.max_bytes
    size = 0
    with output(boundary, name).open(binary=True) as target:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > cap:
                raise too_large(name, cap)
            target.write(chunk)
    return size


def remove(boundary: Boundary, name: str) -> None:
    path = folder(boundary) / check_name(name)
    try:
        path.unlink()
    except FileNotFoundError:
        raise NotFoundError(
            _("No file {name} in your outbox (see: psm outbox list)").format(
                name=safe_display(name)
            )
        ) from None
