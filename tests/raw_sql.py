"""Independent SQL for the tests that check a figure against the database itself, straight
through the driver (``sqlite3`` or ``psycopg``), never through the code under test."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.pg_server import URL


class RawSql:
    """A plain connection to a test database; queries use ``?`` placeholders on both backends."""

    def __init__(self, location: Path | str) -> None:
        self.postgresql = URL is not None
        if self.postgresql:
            import psycopg

            self._conn: object = psycopg.connect(str(location), autocommit=True)
        else:
            self._conn = sqlite3.connect(location)

    def rows(self, query: str, *params: object) -> list[tuple]:  # type: ignore[type-arg]
        if self.postgresql:
            query = query.replace("?", "%s")
        return [tuple(row) for row in self._conn.execute(query, params).fetchall()]  # type: ignore[attr-defined]

    def value(self, query: str, *params: object) -> object:
        return self.rows(query, *params)[0][0]

    def days(self, start: str, end: str) -> str:
        """Whole calendar days from ``start`` to ``end``."""
        if self.postgresql:
            return f"(CAST({end} AS date) - CAST({start} AS date))"
        return f"(julianday(date({end})) - julianday(date({start})))"

    def month(self, column: str) -> str:
        """``YYYY-MM`` of a timestamp column."""
        if self.postgresql:
            return f"to_char({column}, 'YYYY-MM')"
        return f"substr({column}, 1, 7)"

    def close(self) -> None:
        self._conn.close()  # type: ignore[attr-defined]
