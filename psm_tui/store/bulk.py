"""Bulk loading, whichever the engine.

An import reads back the ids of the rows it has just inserted (``id`` above the largest before),
so no other session may insert meanwhile; and a search index written by one trigger per row can
cost far more than the rows themselves. Each dialect says how it avoids both (SQLite: its write
lock, and the FTS5 insert trigger suspended; PostgreSQL: a table lock against other inserts).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import TypeVar

import peewee

from psm_tui.store.backend import dialect_of

T = TypeVar("T")


def lock_against_inserts(database: peewee.Database, *tables: str) -> None:
    """Within a write transaction: no other session inserts into ``tables`` until it ends."""
    dialect_of(database).lock_against_inserts(database, *tables)


def case_search_suspended(
    database: peewee.Database, last_case_id: int
) -> AbstractContextManager[None]:
    """Within a write transaction: insert cases with ids above ``last_case_id`` in the block;
    they are indexed in one statement when it ends, where that is faster (SQLite)."""
    return dialect_of(database).case_search_suspended(database, last_case_id)


def batch_checkpoints(database: peewee.Database) -> AbstractContextManager[None]:
    """Around the batches of an import: the engine's log is folded in by :func:`checkpoint`
    between them, not inside a commit (SQLite)."""
    return dialect_of(database).batch_checkpoints(database)


def checkpoint(database: peewee.Database) -> None:
    dialect_of(database).checkpoint(database)


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` ``size`` at a time. peewee's ``chunked`` pads the last group to ``size`` and pops
    the padding one by one: 4,950 pops for a batch of 50 rows in chunks of 5,000."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
