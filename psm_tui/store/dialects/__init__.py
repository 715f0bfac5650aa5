"""What differs between SQLite and PostgreSQL, as one typed interface.

Each dialect module (:mod:`.sqlite`, :mod:`.postgresql`) implements :class:`Dialect` and is the
only place its engine's SQL is written. The dialect is chosen once, when a database is opened
(:func:`psm_tui.store.database.open_database`): its connection class carries it, and
:func:`psm_tui.store.backend.dialect_of` reads it back. The feature modules of the store
(``backend``, ``search``, ``bulk``, ``reports``) ask their database's dialect and never test
which engine they are on.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

import peewee


class Dialect(Protocol):
    """The operations whose SQL (or whose very existence) depends on the engine."""

    name: str  # "sqlite" or "postgresql", as ``database.parse_location`` spells it

    def open(self, target: str, *, group_shared: bool, allow_exposed: bool) -> peewee.Database:
        """A psm connection (not yet connected) to a file path or a URL."""
        ...

    def database_file(self, database: peewee.Database) -> Path | None:
        """The file holding the database, for the SQLite-only backup and checks; else None."""
        ...

    def data_version(self, database: peewee.Database) -> int:
        """A number that changes when another connection commits (cheap change detection)."""
        ...

    def sync_id_sequence(self, database: peewee.Database, table: str) -> None:
        """Rows were inserted into ``table`` with explicit ids: let the next default id follow."""
        ...

    def install_audit_guard(self, database: peewee.Database) -> None:
        """Make the database refuse UPDATE and DELETE (and TRUNCATE) on audit_log."""
        ...

    def remove_audit_guard(self, database: peewee.Database) -> None: ...

    def audit_guard_installed(self, database: peewee.Database) -> bool: ...

    def lock_audit_chain(self, database: peewee.Database) -> None:
        """Hold the audit chain until the current transaction ends."""
        ...

    def audit_chain_appended(self, database: peewee.Database, last_id: int) -> None:
        """Audit rows were inserted with explicit ids up to ``last_id``."""
        ...

    def case_search_in_step(self, database: peewee.Database) -> bool:
        """Whether the search index holds exactly what its triggers would write for every case."""
        ...

    def case_search_condition(
        self,
        database: peewee.Database,
        case_id: peewee.Field,
        text: str,
        walk_order: bool,
        spread: int = 1,
    ) -> peewee.Expression:
        """``case.id`` among the cases matching a search box's ``text`` (``walk_order``: for a
        page in an index's order; ``spread``: its other conditions keep one case in that many)."""
        ...

    def case_search_count(self, database: peewee.Database, text: str) -> int: ...

    def unindexed(self, field: peewee.Field) -> peewee.Node:
        """``field`` as an ORDER BY or WHERE term that the planner may not pick an index by."""
        ...

    def lock_against_inserts(self, database: peewee.Database, *tables: str) -> None:
        """Within a write transaction: no other session inserts into ``tables`` until it ends."""
        ...

    def case_search_suspended(
        self, database: peewee.Database, last_case_id: int
    ) -> AbstractContextManager[None]:
        """Within a write transaction: cases inserted in the block (ids above ``last_case_id``)
        are indexed in one statement when it ends, rather than one trigger per row."""
        ...

    def days_between(self, start: peewee.Field, end: peewee.Field) -> peewee.Node:
        """Whole calendar days from ``start`` to ``end`` (NULL when either is NULL)."""
        ...

    def batch_checkpoints(self, database: peewee.Database) -> AbstractContextManager[None]:
        """Around many write transactions in a row (a batched import): the log is folded into
        the database by :meth:`checkpoint`, between transactions, not inside every commit."""
        ...

    def checkpoint(self, database: peewee.Database) -> None: ...
