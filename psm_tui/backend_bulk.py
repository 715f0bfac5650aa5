"""Backend module (SQLite-specific SQL allowed here): bulk loading past the case search index.

The full-text index on cases is kept in step by a per-row trigger (see
:data:`psm_tui.backend.CASE_SEARCH_CREATE`). Fired 100,000 times in one import it costs ~25x the
insert itself, so a bulk load suspends that one trigger and indexes the new cases in a single
statement. Everything happens inside the caller's write transaction: SQLite's DDL is
transactional and no other writer can add a case meanwhile, so no case can miss the index, and
a rollback restores the trigger with the rest.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import peewee

from psm_tui import backend

_TRIGGER = "case_search_ai"


def _insert_trigger_sql() -> str | None:
    for statement in backend.CASE_SEARCH_CREATE:
        if f"TRIGGER {_TRIGGER} " in statement:
            return statement
    return None


@contextlib.contextmanager
def case_search_suspended(database: peewee.Database, last_case_id: int) -> Iterator[None]:
    """Within a write transaction: insert cases with ids above ``last_case_id`` in the block;
    they are indexed in one statement when it ends. A no-op without the SQLite search index."""
    trigger = _insert_trigger_sql()
    present = (
        backend.is_sqlite(database)
        and trigger is not None
        and database.execute_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (_TRIGGER,)
        ).fetchone()
    )
    if not present:
        yield
        return
    database.execute_sql(f"DROP TRIGGER {_TRIGGER}")
    try:
        yield
        database.execute_sql(
            "INSERT INTO case_search(rowid, number, name, description) "
            "SELECT id, number, name, description FROM case_search_source WHERE id > ?",
            (last_case_id,),
        )
    finally:
        database.execute_sql(trigger)  # type: ignore[arg-type]
