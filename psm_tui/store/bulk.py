"""Backend module (dialect-specific SQL allowed here): bulk loading.

An import reads back the ids of the rows it has just inserted (``id`` above the largest before).
SQLite's write lock already keeps every other writer out until it commits; on PostgreSQL the
tables are locked against other inserts for the same guarantee (readers are not held up).

SQLite's full-text index on cases is kept in step by a per-row trigger (see
:data:`psm_tui.store.search.CASE_SEARCH_CREATE`). Fired 100,000 times in one import it costs
~25x the insert itself, so a bulk load suspends that one trigger and indexes the new cases in a
single statement. Everything happens inside the caller's write transaction: SQLite's DDL is
transactional and no other writer can add a case meanwhile, so no case can miss the index, and
a rollback restores the trigger with the rest.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import peewee

from psm_tui.store import backend
from psm_tui.store import search as backend_search

_TRIGGER = "case_search_ai"


def _insert_trigger_sql() -> str | None:
    for statement in backend_search.CASE_SEARCH_CREATE:
        if f"TRIGGER {_TRIGGER} " in statement:
            return statement
    return None


def lock_against_inserts(database: peewee.Database, *tables: str) -> None:
    """Within a write transaction: no other session inserts into ``tables`` until it ends."""
    if backend.is_sqlite(database):
        return
    names = ", ".join(f'"{table}"' for table in tables)
    database.execute_sql(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")


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
        database.execute_sql(trigger)
