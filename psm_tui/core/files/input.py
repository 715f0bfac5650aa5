"""The one way psm reads a file a person hands it: bounded, and only regular files or stdin.

``/dev/zero`` or a file that keeps growing would otherwise be read until the machine runs out of
memory, and a FIFO would hang the session forever. So a path is opened without blocking, must be
a regular file no larger than the cap, and every read past the cap fails; standard input is
spooled to an anonymous private file under the same cap. Either way the importer gets a
seekable stream it can read twice (the check, then the refusal report).
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from psm_tui.core.errors import TooLargeError, UnsafePathError, ValidationError
from psm_tui.core.files.boundary import MIB
from psm_tui.core.validation import safe_display
from psm_tui.i18n import _, format_number

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer  # exists for type checkers only

CHUNK = 1 * MIB


@dataclass
class InputFile:
    """A file to import: its name for messages, and a seekable stream that stops at the cap."""

    name: str
    stream: BinaryIO
    size: int


def too_large(name: str, cap: int) -> TooLargeError:
    return TooLargeError(
        _("{file} is larger than {size} MiB, the most psm reads at once; split it").format(
            file=safe_display(name), size=format_number(cap // MIB)
        )
    )


class _Capped(io.RawIOBase):
    """A raw file whose reads fail once they pass ``cap`` bytes (the file may grow meanwhile)."""

    def __init__(self, raw: io.FileIO, cap: int, name: str) -> None:
        super().__init__()
        self._raw = raw
        self._cap = cap
        self._name = name

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def readinto(self, buffer: WriteableBuffer) -> int:
        count = self._raw.readinto(buffer) or 0
        if self._raw.tell() > self._cap:
            raise too_large(self._name, self._cap)
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


def _cannot_read(name: str, error: OSError) -> ValidationError:
    return ValidationError(
        _("Cannot read {path}: {error}").format(
            path=safe_display(name), error=error.strerror or error
        )
    )


@contextlib.contextmanager
def open_path(path: Path, cap: int, *, follow_symlinks: bool = True) -> Iterator[InputFile]:
    """A regular file on disk (never a FIFO, a device or a folder), read up to ``cap`` bytes."""
    shown = str(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC  # a FIFO must not hang the open
    try:
        fd = os.open(path, flags if follow_symlinks else flags | os.O_NOFOLLOW)
    except OSError as error:
        raise _cannot_read(shown, error) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _("a folder") if stat.S_ISDIR(info.st_mode) else _("not a regular file")
            raise UnsafePathError(
                _("{path} is {kind}: psm reads only regular files or standard input (-)").format(
                    path=safe_display(shown), kind=kind
                )
            )
        if info.st_size > cap:
            raise too_large(path.name, cap)
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        raw = io.FileIO(fd, "rb", closefd=True)
    except BaseException:
        os.close(fd)
        raise
    stream = io.BufferedReader(_Capped(raw, cap, path.name), CHUNK)
    try:
        yield InputFile(path.name, stream, info.st_size)
    finally:
        stream.close()


@contextlib.contextmanager
def open_stdin(cap: int, name: str = "stdin") -> Iterator[InputFile]:
    """Standard input, spooled to an anonymous 0600 file so that it can be read twice."""
    source = sys.stdin.buffer
    if source.isatty():
        raise ValidationError(
            _("Give the file on standard input, for example: psm import cases - < kasus.xlsx")
        )
    with tempfile.TemporaryFile() as spool:
        size = 0
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > cap:
                raise too_large(name, cap)
            spool.write(chunk)
        spool.seek(0)
        yield InputFile(name, spool, size)
