"""The one door from the CLI and the TUI into the data.

``open_location`` connects the store; ``unit_of_work`` gives the calling thread a connection for
one service call (or a few) and turns every database failure into a :class:`PsmError` worded
here, once, in the reader's language. Neither the CLI nor the TUI imports peewee or the store:
they call this module and the core's services (docs/architecture.md).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import peewee

from psm_tui.core.errors import (
    BusyError,
    DatabaseFileError,
    DatabaseLocationError,
    PsmError,
    UnreachableError,
)
from psm_tui.core.validation import safe_display
from psm_tui.i18n import _
from psm_tui.store import backend
from psm_tui.store.database import db, display_location, open_database, parse_location, runner
from psm_tui.store.database import migrate as apply_migrations
from psm_tui.store.errors import (
    DatabaseBusy,
    DatabaseUnreachable,
    DatabaseUrlError,
    DriverMissing,
)


def busy_message() -> str:
    return _("The database is busy (a colleague is saving); try again.")


def translate(error: BaseException) -> PsmError | None:
    """The user's error for a database failure, or None when it is not one (a bug)."""
    if isinstance(error, PsmError):
        return error
    if isinstance(error, DatabaseBusy):
        return BusyError(busy_message())
    if isinstance(error, DatabaseUnreachable):
        return UnreachableError(
            _("Cannot connect to the database server: {reason}").format(reason=error.reason)
        )
    if isinstance(error, DriverMissing):
        return UnreachableError(
            _("PostgreSQL needs its driver; install it with: uv sync --extra postgresql")
        )
    if isinstance(error, DatabaseUrlError):
        return DatabaseLocationError(str(error))
    if isinstance(error, peewee.DatabaseError):
        if backend.is_busy_error(error):
            return BusyError(busy_message())
        return _file_problem(error)
    return None


def _file_problem(error: peewee.DatabaseError) -> DatabaseFileError | None:
    """The database file itself is unusable: say so in one line instead of an internal error."""
    text = str(error).lower()
    where = getattr(db.obj, "database", "") if db.obj is not None else ""
    path = safe_display(str(where))
    if "readonly database" in text or "read-only" in text:
        return DatabaseFileError(
            _("The database {path} is read-only for you; ask the administrator (psm check)").format(
                path=path
            )
        )
    if "unable to open database" in text:
        return DatabaseFileError(
            _(
                "Cannot open the database {path}: you may not read it, or its folder is missing"
            ).format(path=path)
        )
    if "not a database" in text or "malformed" in text:
        return DatabaseFileError(
            _("{path} is not a usable psm database (damaged or replaced); restore a backup").format(
                path=path
            )
        )
    return None


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Every database failure inside leaves as the user's :class:`PsmError`; bugs pass through."""
    try:
        yield
    except Exception as error:
        worded = translate(error)
        if worded is None or worded is error:
            raise
        raise worded from error


@contextlib.contextmanager
def unit_of_work() -> Iterator[None]:
    """A connection for this thread around one piece of work, with its errors translated."""
    with translated(), db.connection_context():
        yield


def open_location(
    location: str, *, group_shared: bool = False, allow_exposed: bool = False
) -> None:
    """Connect the store to ``location`` (a SQLite path or a PostgreSQL URL)."""
    with translated():
        open_database(location, group_shared=group_shared, allow_exposed=allow_exposed)


def is_open() -> bool:
    return db.obj is not None


def describe(location: str) -> str:
    """``location`` fit to print: a URL's password is never shown."""
    return display_location(location)


def is_file_location(location: str) -> tuple[bool, str]:
    """``(True, path)`` for a SQLite file, ``(False, url)`` for a server."""
    with translated():
        kind, target = parse_location(location)
    return kind == "sqlite", target


def migration_status() -> list[tuple[str, bool]]:
    """Every migration by name, and whether it has been applied."""
    with translated():
        return [(row.name, bool(row.applied)) for row in runner().status()]


def migrate() -> list[str]:
    """Apply pending migrations; an explicit admin step."""
    with translated():
        return apply_migrations()


def close() -> None:
    """Close this thread's connection, if any."""
    if db.obj is not None and not db.is_closed():
        db.close()


def data_version() -> int:
    """A number that moves whenever anyone commits; the caller keeps its connection open between
    reads (SQLite's ``data_version`` is per connection)."""
    with translated():
        db.connect(reuse_if_open=True)
        return backend.data_version(db.obj)
