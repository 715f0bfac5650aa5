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


class BusyError(PsmError):
    exit_code = 6


class SchemaError(PsmError):
    exit_code = 7


class UnreachableError(PsmError):
    """The database server refused or could not be reached (down, wrong password, no database)."""

    exit_code = 8


class AuditChainError(PsmError):
    """The audit log's hash chain does not verify: rows were changed, removed or rewritten."""

    exit_code = 9
