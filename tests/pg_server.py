"""Throw-away databases on the PostgreSQL server named by ``PSM_TEST_DATABASE_URL``.

Every test gets its own database, copied from a template built once per test process
(``CREATE DATABASE … TEMPLATE``), so a test on PostgreSQL starts from exactly the state its
SQLite twin does. Names carry the process id: two test runs can share one server, and databases
left by a run that was killed are dropped by the next one.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import time
from urllib.parse import urlsplit, urlunsplit

from psm_tui.store import drivers

URL = os.environ.get("PSM_TEST_DATABASE_URL", "").strip() or None
PREFIX = "psm_t"
# One count per process, shared by every PgServer in it, so two never pick the same name.
_NUMBERS = itertools.count(1)

if URL is not None:  # psm_tui keeps the driver from peewee until PostgreSQL is used
    psycopg = drivers.load_psycopg()
    from psycopg import sql


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PgServer:
    """Creates, copies and drops the test databases of this process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.prefix = f"{PREFIX}{os.getpid()}_"

    def url_for(self, name: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def _execute(self, statement: sql.Composable) -> list[tuple[object, ...]]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def create(self, template: str | None = None) -> str:
        """A new empty database (or a copy of ``template``); returns its name."""
        name = f"{self.prefix}{next(_NUMBERS)}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        self._execute(statement)
        return name

    def drop(self, name: str) -> None:
        """Drop ``name``, closing its sessions; a server process the role may not stop (an
        autovacuum worker) is waited for, and at worst the database goes at the end of the run."""
        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        for _ in range(50):
            try:
                self._execute(statement)
                return
            except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
                time.sleep(0.1)

    def drop_leftovers(self, *, ours: bool = False) -> None:
        """Drop this process's databases (``ours``), or those of test runs no longer alive."""
        rows = self._execute(
            sql.SQL("SELECT datname FROM pg_database WHERE datname LIKE {}").format(
                sql.Literal(f"{PREFIX}%")
            )
        )
        for (name,) in rows:
            pid = str(name)[len(PREFIX) :].split("_", 1)[0]
            mine = str(name).startswith(self.prefix)
            if (ours and mine) or (not ours and pid.isdigit() and not _alive(int(pid))):
                with contextlib.suppress(psycopg.Error):
                    self.drop(str(name))
