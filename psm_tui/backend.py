"""Backend module: the only place that may use SQLite- or PostgreSQL-specific SQL.

Everything else speaks portable Peewee.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import peewee

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 5000,
    "cache_size": -16000,
}


def file_mode(group_shared: bool) -> int:
    return 0o660 if group_shared else 0o600


def ensure_private_file(path: Path, *, group_shared: bool = False) -> None:
    """Create the database file with a private mode before SQLite makes it 0644."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, file_mode(group_shared))
        os.close(fd)


def world_readable(path: Path) -> bool:
    try:
        return bool(path.stat().st_mode & stat.S_IROTH)
    except FileNotFoundError:
        return False


def sqlite_database(path: Path, *, group_shared: bool = False) -> peewee.SqliteDatabase:
    ensure_private_file(path, group_shared=group_shared)
    return peewee.SqliteDatabase(
        str(path), lock_type="IMMEDIATE", pragmas=SQLITE_PRAGMAS, check_same_thread=False
    )


def postgresql_database(url: str) -> peewee.Database:
    from playhouse.db_url import connect

    return connect(url)


def is_sqlite(database: peewee.Database) -> bool:
    return isinstance(database, peewee.SqliteDatabase)


def data_version(database: peewee.Database) -> int:
    """A number that changes when another connection commits (cheap change detection)."""
    if is_sqlite(database):
        return int(database.execute_sql("PRAGMA data_version").fetchone()[0])
    row = database.execute_sql("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()
    return int(row[0])


def is_busy_error(error: BaseException) -> bool:
    text = str(error).lower()
    return "database is locked" in text or "database is busy" in text
