"""Where a file value a person typed (``-o``, ``--report``, an import file) leads.

The CLI and the TUI resolve every such value here, against the person's :class:`Boundary`, and
hand the result (an :class:`Output` or an :class:`InputFile`) to the services that write or read.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from psm_tui.core import outbox
from psm_tui.core.errors import UnsafePathError, ValidationError
from psm_tui.core.files.boundary import (
    STDIO,
    Boundary,
    check_name,
    refuse_protected,
    refuse_remote_path,
    remote_path_refusal,
)
from psm_tui.core.files.input import InputFile, open_path, open_stdin
from psm_tui.core.files.output import FileOutput, Output, StdoutOutput
from psm_tui.core.validation import safe_display
from psm_tui.i18n import _


def remote_output_hint() -> str:
    return _(
        "Leave out the file to get it on standard output (ssh dinsos export cases --format "
        "xlsx > kasus.xlsx), or give a plain name to keep it in your outbox"
    )


def remote_input_hint() -> str:
    return _(
        "Send the file on standard input (ssh dinsos import cases - < kasus.xlsx), or put it "
        "in your outbox first (ssh dinsos outbox put kasus.xlsx < kasus.xlsx)"
    )


def local_output(boundary: Boundary, value: str, *, force: bool = False) -> FileOutput:
    """A path named by a local OS user, checked against everything psm never writes."""
    path = Path(value).expanduser()
    if value.endswith("/") or path.name in ("", ".", ".."):
        raise UnsafePathError(
            _("{path} is a folder; give a file name").format(path=safe_display(value))
        )
    parent = Path(os.path.realpath(path.absolute().parent))
    refuse_protected(boundary, parent / path.name)
    return FileOutput(parent, path.name, force=force)


def output_for(boundary: Boundary, value: str | None, *, force: bool = False) -> Output:
    """``-`` or nothing (over SSH) is standard output; a plain name over SSH is the outbox."""
    if value is None:
        if not boundary.remote:
            raise ValidationError(_("Give the file to write (-o FILE, or -o - for the terminal)"))
        return StdoutOutput()
    if value == STDIO:
        return StdoutOutput()
    if boundary.remote:
        refuse_remote_path(boundary, value, remote_output_hint())
        return outbox.output(boundary, check_name(value))
    return local_output(boundary, value, force=force)


def _refuse_ssh_files(path: Path) -> None:
    """An import echoes refused rows into its report: never read an SSH file."""
    target = Path(os.path.realpath(path))
    if ".ssh" in target.parts or target.name.startswith("authorized_keys"):
        raise UnsafePathError(
            _("{path} is an SSH file; psm does not touch it").format(path=safe_display(str(path)))
        )


def backup_target(
    boundary: Boundary, value: str | None, default_name: str, *, force: bool = False
) -> Path:
    """Where ``psm backup`` writes: the backups folder unless a local user names a file or folder.

    Over SSH only a plain name (kept in the backups folder) or nothing is accepted. The file
    must be new, or a regular file replaced with ``--force``; the live database is refused by
    :mod:`maintenance` itself.
    """
    if value is None or (boundary.remote and "/" not in value):
        folder = boundary.backups
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = folder / (check_name(value) if value else default_name)
    else:
        refuse_remote_path(boundary, value, _("Give a plain name, or none: backups are kept in "
                                               "the backups folder"))  # fmt: skip
        path = Path(value).expanduser().absolute()
        if path.is_dir() and not path.is_symlink():
            path = path / default_name
        target = Path(os.path.realpath(path.parent)) / path.name
    refuse_protected(boundary, target, backup=True)
    FileOutput(target.parent, target.name, force=force).check_existing_path()
    return target


def backup_source(backups: Path, remote: bool, value: str) -> Path:
    """The backup ``psm restore`` reads: over SSH only a name in the backups folder."""
    if remote:
        if "/" in value:
            raise remote_path_refusal(value, _("Give the name of a file in the backups folder"))
        return backups / check_name(value)
    return Path(value).expanduser().absolute()


@contextlib.contextmanager
def open_input(boundary: Boundary, value: str) -> Iterator[InputFile]:
    """A file to import: standard input (``-``), the outbox (over SSH) or a local path."""
    cap = boundary.limits.max_bytes
    if value == STDIO:
        with open_stdin(cap) as file:
            yield file
    elif boundary.remote:
        refuse_remote_path(boundary, value, remote_input_hint())
        with outbox.open_file(boundary, check_name(value)) as file:
            yield file
    else:
        path = Path(value).expanduser()
        _refuse_ssh_files(path)
        with open_path(path, cap) as file:
            yield file


def read_key_file(boundary: Boundary, value: str, cap: int = 64 * 1024) -> str:
    """A public key file (``-``: standard input, the only choice over SSH), at most ``cap``."""
    if boundary.remote and value != STDIO:
        raise UnsafePathError(
            _("Over SSH psm does not use paths on the server ({path}). {hint}").format(
                path=safe_display(value),
                hint=_(
                    "Send the key on standard input: ssh dinsos ssh authorize NAME - < NAME.pub"
                ),
            )
        )
    opened = open_stdin(cap) if value == STDIO else open_path(Path(value).expanduser(), cap)
    with opened as file:
        return file.stream.read(cap).decode("utf-8", errors="replace")
