"""What the store raises. Plain exceptions carrying facts, no sentences: the core words them once
(``psm_tui.core.session``), in the reader's language."""

from __future__ import annotations


class StoreError(Exception):
    """A database failure the user can act on."""


class DatabaseBusy(StoreError):
    """A write waited the whole busy timeout for a colleague's transaction."""


class DatabaseUnreachable(StoreError):
    """The database server refused or could not be reached; ``reason`` is libpq's own line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DriverMissing(StoreError):
    """PostgreSQL was asked for but its driver (psycopg) is not installed."""


class DatabaseUrlError(StoreError, ValueError):
    """A database location that cannot be used as given (the message is already worded)."""


class InsecureDatabaseError(DatabaseUrlError):
    """The database's files can be read by every user of the server."""
