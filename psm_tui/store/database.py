"""The database proxy, connection by URL, and running migrations.

Opening a database chooses its dialect (:mod:`psm_tui.store.dialects`), the only place SQL
specific to one engine is written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import peewee
from playhouse.migrations import Runner

from psm_tui.i18n import _
from psm_tui.store.dialects import Dialect, postgresql, sqlite
from psm_tui.store.errors import DatabaseUrlError

db = peewee.DatabaseProxy()

DIALECTS: dict[str, Dialect] = {"sqlite": sqlite.DIALECT, "postgresql": postgresql.DIALECT}


def migrations_dir() -> Path:
    """``db/migrations`` in a checkout, or its copy shipped inside the wheel."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "_db", package.parent / "db"):
        if (candidate / "migrations").is_dir():
            return candidate / "migrations"
    raise FileNotFoundError("db/migrations")


def reference_dir() -> Path:
    return migrations_dir().parent / "reference"


def parse_location(location: str) -> tuple[str, str]:
    """Return ``(backend, target)``: a SQLite file path or a PostgreSQL URL.

    ``sqlite://file.db`` (two slashes) is refused: peewee would silently open an in-memory
    database and every write would vanish.
    """
    location = location.strip()
    if not location:
        raise DatabaseUrlError(_("No database given."))
    if "://" not in location:
        return "sqlite", str(Path(location).expanduser())
    parsed = urlparse(location)
    if parsed.scheme in ("sqlite", "sqlite3"):
        if parsed.netloc:
            raise DatabaseUrlError(
                _(
                    "Invalid SQLite URL {url}: use sqlite:///relative.db or sqlite:////abs.db"
                ).format(url=location)
            )
        path = unquote(parsed.path)[1:] if parsed.path.startswith("/") else parsed.path
        if not path or path == ":memory:":
            raise DatabaseUrlError(_("An in-memory database keeps nothing; give a file."))
        return "sqlite", str(Path(path).expanduser())
    if parsed.scheme in ("postgres", "postgresql"):
        return "postgresql", location
    raise DatabaseUrlError(_("Unsupported database URL: {url}").format(url=location))


def display_location(location: str) -> str:
    """``location`` fit to print: a URL's password is never shown."""
    parsed = urlparse(location)
    if parsed.password is None:
        return location
    netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@", 1)
    return parsed._replace(netloc=netloc).geturl()


def open_database(
    location: str, *, group_shared: bool = False, allow_exposed: bool = False
) -> peewee.Database:
    """Connect the proxy to ``location`` and return the concrete database.

    A SQLite file that every user of the server can read is refused (UU PDP: the data is
    "specific" personal data); ``allow_exposed`` only for ``psm check``, which reports it.
    """
    kind, target = parse_location(location)
    database = DIALECTS[kind].open(target, group_shared=group_shared, allow_exposed=allow_exposed)
    previous = db.obj
    if previous is not None and not previous.is_closed() and not previous.in_transaction():
        previous.close()  # its file locks would otherwise outlive it (and block psm restore)
    db.initialize(database)
    return database


def close_database() -> None:
    if db.obj is not None and not db.is_closed():
        db.close()


def runner() -> Runner:
    return Runner(db.obj, str(migrations_dir()))


def pending_migrations() -> list[str]:
    return [m.name for m in runner().status() if m.path is not None and not m.applied]


def migrate() -> list[str]:
    """Apply pending migrations; an explicit admin step (the runner takes no cross-process lock)."""
    applied: list[str] = runner().up()
    return applied


@contextlib.contextmanager
def connection() -> Iterator[None]:
    """A connection for the current thread (thread workers reuse threads)."""
    with db.connection_context():
        yield
