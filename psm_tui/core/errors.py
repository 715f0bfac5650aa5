"""Errors a user can cause; each carries a message already in the user's language."""

from __future__ import annotations

import datetime as dt


class PsmError(Exception):
    """Base for every expected failure; the CLI prints ``str(error)`` and exits non-zero."""

    exit_code = 1


class ValidationError(PsmError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(PsmError):
    exit_code = 3


class PermissionDenied(PsmError):
    exit_code = 4


class OutOfScope(PermissionDenied):
    """The case is outside the user's kecamatan; akses darurat (a stated reason) can open it."""

    def __init__(self, message: str, *, number: str) -> None:
        super().__init__(message)
        self.number = number


class ConflictError(PsmError):
    """A rule of the domain refuses the change (wrong transition, open caseload, ...)."""

    exit_code = 5


class StaleVersionError(ConflictError):
    """Someone saved the case after the version the caller was looking at."""

    def __init__(self, message: str, *, changed_by: str, changed_at: dt.datetime, version: int):
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.version = version


class DatabaseLocationError(PsmError):
    """A database location that cannot be used as given (settings, --db, PSM_DATABASE)."""

    exit_code = 2


class BusyError(PsmError):
    exit_code = 6


class SchemaError(PsmError):
    exit_code = 7


class UnreachableError(PsmError):
    """The database server refused or could not be reached (down, wrong password, no database)."""

    exit_code = 8


class UnsafePathError(PsmError):
    """A file psm will not read or write for this person (a server path over SSH, a symlink,
    a FIFO, an existing file without ``--force``, the database's folder ...)."""

    exit_code = 9


class TooLargeError(PsmError):
    """A file over one of the reading caps (bytes, rows, an XLSX that unpacks too far)."""

    exit_code = 10


class DatabaseFileError(PsmError):
    """The database file cannot be used at all (read-only, unreadable, not a database)."""

    exit_code = 11


class AuditChainError(PsmError):
    """The audit log's hash chain does not verify: rows were changed, removed or rewritten."""

    exit_code = 12
