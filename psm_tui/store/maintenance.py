"""Backend module (SQLite only): integrity checks, online backup, restore, who is connected.

The mechanics behind ``psm check|backup|restore``; :mod:`psm_tui.ops.maintenance` decides
who may use them and what the user is told. sqlite3's errors leave here as Peewee's.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import peewee

from psm_tui.store.backend import dialect_of
from psm_tui.store.dialects.sqlite import sidecar_files


def integrity_problems(conn: sqlite3.Connection, limit: int = 20) -> list[str]:
    """``PRAGMA integrity_check``: an empty list when the file is sound."""
    rows = [row[0] for row in conn.execute(f"PRAGMA integrity_check({int(limit)})")]
    return [] if rows == ["ok"] else rows


def foreign_key_problems(conn: sqlite3.Connection) -> list[tuple[str, int | None, str]]:
    """``PRAGMA foreign_key_check``: (table, rowid, referenced table) of every dangling row."""
    return [(row[0], row[1], row[2]) for row in conn.execute("PRAGMA foreign_key_check")]


def sqlite_path(database: peewee.Database) -> Path | None:
    """The SQLite file these operations work on; None on PostgreSQL (pg_dump's job)."""
    return dialect_of(database).database_file(database)


def _private_new_file(path: Path, mode: int) -> None:
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
    try:
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_into_new_file(source: sqlite3.Connection, target: Path, mode: int) -> None:
    """Write a consistent copy of ``source`` into ``target`` (which must not exist)."""
    _private_new_file(target, mode)
    dest = sqlite3.connect(target, isolation_level=None)
    try:
        source.backup(dest)  # one step: a single read transaction, so a consistent snapshot
        dest.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
        problems = integrity_problems(dest)
    finally:
        dest.close()
    if problems:
        target.unlink(missing_ok=True)
        raise sqlite3.DatabaseError("; ".join(problems))
    _fsync(target)


def backup_sqlite(database: peewee.Database, target: Path, mode: int) -> None:
    """Online backup through SQLite's backup API: others keep reading and writing meanwhile.

    Written to a temporary file beside ``target``, checked, then renamed over it, so a failure
    never leaves half a backup under the final name.
    """
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        with _portable_errors():
            _copy_into_new_file(database.connection(), temporary, mode)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def open_readonly(path: Path) -> sqlite3.Connection:
    """Open a file for reading only (a backup to inspect must not be changed)."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


@contextlib.contextmanager
def _portable_errors() -> Iterator[None]:
    """sqlite3's errors as Peewee's, so that callers outside this module need no sqlite3."""
    try:
        yield
    except sqlite3.OperationalError as error:
        raise peewee.OperationalError(str(error)) from error
    except sqlite3.DatabaseError as error:
        raise peewee.DatabaseError(str(error)) from error


@dataclass(frozen=True)
class FileFacts:
    """What a database file (a backup) holds."""

    problems: list[str]
    tables: set[str]
    applied: set[str]  # migrations recorded in it
    cases: int
    audit_head: tuple[int, str] | None = None  # id and hash of its last audit row


def inspect_file(path: Path) -> FileFacts:
    """Read a database file without changing it; ``peewee.DatabaseError`` if it is none."""
    with _portable_errors():
        conn = open_readonly(path)
        try:
            problems = integrity_problems(conn)
            tables = {
                row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            applied = set()
            if "schema_migration" in tables:
                applied = {row[0] for row in conn.execute("SELECT name FROM schema_migration")}
            cases = 0
            if "case" in tables:
                cases = int(conn.execute('SELECT COUNT(*) FROM "case"').fetchone()[0])
            head = None
            if "0008_audit_hash_chain" in applied:
                head = conn.execute(
                    "SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1"
                ).fetchone()
        finally:
            conn.close()
    return FileFacts(problems, tables, applied, cases, (head[0], head[1] or "") if head else None)


@contextlib.contextmanager
def exclusive_sqlite(path: Path, timeout: float = 1.0) -> Iterator[sqlite3.Connection]:
    """A connection holding the database's EXCLUSIVE lock until it closes.

    In WAL mode every open connection keeps a shared lock on the file, so this fails with
    "database is locked" (``sqlite3.OperationalError``) while anyone else is connected, and
    nobody can connect while it is held.
    """
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")  # the lock stays: exclusive locking mode keeps it
        yield conn
    finally:
        conn.close()


def restore_sqlite(path: Path, source: Path, keep: Path, mode: int) -> bool:
    """Replace the database at ``path`` with the contents of ``source``.

    Copied page by page into the live file under its EXCLUSIVE lock (so a process that opens the
    file meanwhile waits and then sees the restored data), after saving the current contents to
    ``keep`` if there are any (returns whether it did). Raises ``peewee.OperationalError``
    ("database is locked") while others are connected.
    """
    source_conn = open_readonly(source)
    try:
        with _portable_errors(), exclusive_sqlite(path) as live:
            kept = bool(live.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0])
            if kept:
                _copy_into_new_file(live, keep, mode)
            source_conn.backup(live)
            problems = integrity_problems(live)
            if problems:
                raise sqlite3.DatabaseError("; ".join(problems))
    finally:
        source_conn.close()
    return kept


_PROC_LOCK = re.compile(r"\s(\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s")


def connected_processes(path: Path) -> list[int] | None:
    """Other processes holding SQLite locks on the database (Linux ``/proc/locks``).

    Every connection to a WAL database keeps a read lock on it, so this is who is connected.
    None where the kernel does not tell.
    """
    try:
        table = Path("/proc/locks").read_text()
    except OSError:
        return None
    files = set()
    for candidate in sidecar_files(path):
        try:
            info = candidate.stat()
        except FileNotFoundError:
            continue
        files.add((os.major(info.st_dev), os.minor(info.st_dev), info.st_ino))
    pids = set()
    for match in _PROC_LOCK.finditer(table):
        pid, major, minor, inode = match.groups()
        if (int(major, 16), int(minor, 16), int(inode)) in files and int(pid) != os.getpid():
            pids.add(int(pid))
    return sorted(pids)


def process_owner(pid: int) -> str:
    """The login owning a process, or ``?``."""
    import pwd

    try:
        uid = os.stat(f"/proc/{pid}").st_uid
        return pwd.getpwuid(uid).pw_name
    except (OSError, KeyError):
        return "?"
