"""Independent SQL for the tests that check a figure against the database itself, straight
through the driver (``sqlite3`` or ``psycopg``), never through the code under test."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


class RawSql:
    """A plain connection to a test database; queries use ``?`` placeholders on both backends."""

    def __init__(self, location: Path | str) -> None:
        self.postgresql = str(location).startswith(("postgresql://", "postgres://"))
        if self.postgresql:
            from psm_tui.store import drivers

            psycopg: Any = drivers.load_psycopg()
            self.connection: Any = psycopg.connect(str(location), autocommit=True)
        else:
            self.connection = sqlite3.connect(location)

    def rows(self, query: str, *params: object) -> list[tuple]:  # type: ignore[type-arg]
        if self.postgresql:
            query = query.replace("?", "%s")
        return [tuple(row) for row in self.connection.execute(query, params).fetchall()]

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
        self.connection.close()
