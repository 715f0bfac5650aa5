"""The one way psm writes a file a person asked for: exports, refusal reports, outbox files.

A file is written under a fresh temporary name in the target's folder (``O_CREAT|O_EXCL|
O_NOFOLLOW``, 0600), synced, then moved into place: a symlink planted under the final name is
replaced, never followed; a failed write leaves nothing behind. Before that the target must be
absent, or a regular file the person asked to replace (``--force``) that is not a SQLite file.
FIFOs, devices, folders and symlinks are refused, so ``-o /dev/null`` or ``-o fifo`` never turns
a special file into a regular one.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from psm_tui.core.errors import UnsafePathError, ValidationError
from psm_tui.core.validation import safe_display
from psm_tui.i18n import _

SQLITE_HEADER = b"SQLite format 3\x00"
PRIVATE = 0o600


class Output(Protocol):
    """Where an export or a report goes."""

    @property
    def label(self) -> str:
        """How the destination is named in messages and in the audit log."""
        ...

    def open(
        self, *, binary: bool, bom: bool = True
    ) -> contextlib.AbstractContextManager[IO[Any]]: ...


def _text(stream: IO[bytes], bom: bool) -> io.TextIOWrapper:
    return io.TextIOWrapper(
        stream, encoding="utf-8-sig" if bom else "utf-8", newline="", write_through=True
    )


@dataclass(frozen=True)
class StdoutOutput:
    """Standard output, byte for byte: ``ssh dinsos export cases --format xlsx > kasus.xlsx``."""

    label: str = "stdout"

    @contextlib.contextmanager
    def open(self, *, binary: bool, bom: bool = True) -> Iterator[IO[Any]]:
        target = sys.stdout.buffer
        if binary:
            # A workbook is a zip archive, finished only at its end: spooled to an anonymous
            # private file, then copied, so a half-made workbook never reaches the pipe.
            with tempfile.TemporaryFile() as spool:
                yield spool
                spool.seek(0)
                shutil.copyfileobj(spool, target)
            target.flush()
            return
        stream = _text(target, bom)
        try:
            yield stream
            stream.flush()
        finally:
            stream.detach()


def _describe(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISLNK(mode):
        return _("a symbolic link")
    if stat.S_ISFIFO(mode):
        return _("a FIFO")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("a special file")


def _is_sqlite(name: str, dir_fd: int) -> bool:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError:
        return True  # unreadable: do not replace what cannot be looked at
    try:
        return os.read(fd, len(SQLITE_HEADER)) == SQLITE_HEADER
    finally:
        os.close(fd)


@dataclass(frozen=True)
class FileOutput:
    """A named file in an existing folder, written safely (see the module docstring).

    ``folder`` is already resolved and checked by the caller (:mod:`file_access`); ``after``
    runs once the file is in place (the outbox prunes itself there).
    """

    folder: Path
    name: str
    force: bool = False
    after: Callable[[Path], None] | None = None
    shown: str = ""  # the label, where the full path is not the person's business

    @property
    def path(self) -> Path:
        return self.folder / self.name

    @property
    def label(self) -> str:
        return self.shown or str(self.path)

    def _refuse(self, message: str, **values: str) -> UnsafePathError:
        return UnsafePathError(message.format(path=safe_display(str(self.path)), **values))

    def check_existing(self, dir_fd: int, *, database_ok: bool = False) -> None:
        """Refuse what may not be replaced; an absent file is fine. ``database_ok``: a backup
        may replace an older backup (with ``--force``)."""
        try:
            info = os.stat(self.name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            return
        if not stat.S_ISREG(info.st_mode):
            raise self._refuse(
                _("{path} is {kind}; psm writes only regular files"), kind=_describe(info.st_mode)
            )
        if not database_ok and _is_sqlite(self.name, dir_fd):
            raise self._refuse(_("{path} is a database file; psm never writes over one"))
        if not self.force:
            raise self._refuse(_("{path} already exists; give another name (--force replaces it)"))

    def check_existing_path(self) -> None:
        """:meth:`check_existing` for a caller that writes the file itself (``psm backup``)."""
        dir_fd = self._open_folder()
        try:
            self.check_existing(dir_fd, database_ok=True)
        finally:
            os.close(dir_fd)

    def _open_folder(self) -> int:
        try:
            return os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise self._refuse(_("The folder of {path} does not exist")) from None
        except OSError as error:
            raise ValidationError(
                _("Cannot write {path}: {error}").format(
                    path=safe_display(str(self.path)), error=error.strerror or error
                )
            ) from None

    @contextlib.contextmanager
    def open(self, *, binary: bool, bom: bool = True) -> Iterator[IO[Any]]:
        dir_fd = self._open_folder()
        try:
            self.check_existing(dir_fd)
            temporary = f".psm-{secrets.token_hex(8)}.tmp"
            try:
                fd = os.open(
                    temporary,
                    os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                    PRIVATE,
                    dir_fd=dir_fd,
                )
            except OSError as error:
                raise ValidationError(
                    _("Cannot write {path}: {error}").format(
                        path=safe_display(str(self.path)), error=error.strerror or error
                    )
                ) from None
            try:
                os.fchmod(fd, PRIVATE)
                with os.fdopen(fd, "wb") as raw:
                    if binary:
                        yield raw
                    else:
                        stream = _text(raw, bom)
                        yield stream
                        stream.flush()
                        stream.detach()
                    raw.flush()
                    os.fsync(raw.fileno())
                self._place(temporary, dir_fd)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary, dir_fd=dir_fd)
                raise
        finally:
            os.close(dir_fd)
        if self.after is not None:
            self.after(self.path)

    def _place(self, temporary: str, dir_fd: int) -> None:
        """Move the finished file into place; without ``force`` never over anything."""
        if self.force:
            self.check_existing(dir_fd)  # what is there now, not what was there at the start
            os.replace(temporary, self.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            return
        try:
            os.link(temporary, self.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except FileExistsError:
            raise self._refuse(
                _("{path} already exists; give another name (--force replaces it)")
            ) from None
        except OSError:  # a file system without hard links: the check-then-move fallback
            self.check_existing(dir_fd)
            os.replace(temporary, self.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
            return
        os.unlink(temporary, dir_fd=dir_fd)
