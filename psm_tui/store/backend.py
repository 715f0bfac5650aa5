"""The psm connection, whichever the engine, and the store's dialect-neutral operations.

:class:`PsmDatabase` is what every psm connection adds to Peewee's database classes; each dialect
module (:mod:`psm_tui.store.dialects`) subclasses it with its engine's class and names itself
on it, so :func:`dialect_of` finds the dialect of any open database. The functions below are
what the core calls; each hands its work to that dialect.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, ClassVar

import peewee

from psm_tui.store.dialects import Dialect
from psm_tui.store.errors import DatabaseBusy


def busy_error() -> Exception:
    """The error for a write that waited the whole busy timeout (worded by ``core.session``)."""
    return DatabaseBusy()


def is_busy_error(error: BaseException) -> bool:
    text = str(error).lower()
    return "database is locked" in text or "database is busy" in text


class PsmDatabase(peewee.Database):
    """What every psm connection adds to Peewee's database classes.

    Its ``dialect``, set by each engine's subclass. A "database is locked" after the busy timeout
    becomes ``DatabaseBusy``, and ``run_after_transaction`` holds writes that must land whatever
    happens to the transaction in progress (the audit row of a refused action) until it has ended.
    """

    dialect: ClassVar[Dialect]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._psm_local = threading.local()
        super().__init__(*args, **kwargs)

    def _pending(self) -> list[Callable[[], None]]:
        local = self._psm_local
        if not hasattr(local, "pending"):
            local.pending = []
        pending: list[Callable[[], None]] = local.pending
        return pending

    def run_after_transaction(self, fn: Callable[[], None]) -> None:
        if self.in_transaction():
            self._pending().append(fn)
        else:
            fn()

    def _flush_pending(self) -> None:
        pending = self._pending()
        todo, pending[:] = list(pending), []
        for fn in todo:
            fn()

    def execute_sql(self, sql: str, params: object = None) -> object:
        try:
            return super().execute_sql(sql, params)
        except peewee.OperationalError as error:
            if is_busy_error(error):
                raise busy_error() from error
            raise

    def begin(self, *args: object, **kwargs: object) -> None:
        try:
            super().begin(*args, **kwargs)
        except peewee.OperationalError as error:
            if is_busy_error(error):
                raise busy_error() from error
            raise

    def commit(self) -> None:
        try:
            super().commit()
        except peewee.OperationalError as error:
            if is_busy_error(error):
                raise busy_error() from error
            raise
        self._flush_pending()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._flush_pending()


def dialect_of(database: peewee.Database | peewee.DatabaseProxy) -> Dialect:
    """The dialect ``database`` was opened with (through the proxy too)."""
    concrete = database.obj if isinstance(database, peewee.DatabaseProxy) else database
    if not isinstance(concrete, PsmDatabase):
        raise TypeError(f"not a psm database: {concrete!r}")
    return concrete.dialect


def run_after_transaction(database: peewee.Database, fn: Callable[[], None]) -> None:
    """Run ``fn`` now, or once the current transaction has committed or rolled back."""
    if isinstance(database, PsmDatabase):
        database.run_after_transaction(fn)
    else:
        fn()


def data_version(database: peewee.Database) -> int:
    """A number that changes when another connection commits (cheap change detection)."""
    return dialect_of(database).data_version(database)


def sync_id_sequence(database: peewee.Database, table: str) -> None:
    """Rows were inserted into ``table`` with explicit ids: let the next default id follow."""
    dialect_of(database).sync_id_sequence(database, table)


# --- The audit log is append-only, enforced by the database itself ------------------------------
# A migration that rebuilds audit_log (SQLite ALTER by copy) must call install_audit_guard again.


def install_audit_guard(database: peewee.Database) -> None:
    """Make the database refuse UPDATE and DELETE (and TRUNCATE) on audit_log."""
    dialect_of(database).install_audit_guard(database)


def remove_audit_guard(database: peewee.Database) -> None:
    dialect_of(database).remove_audit_guard(database)


def audit_guard_installed(database: peewee.Database) -> bool:
    return dialect_of(database).audit_guard_installed(database)


# --- The audit hash chain: one appender at a time -------------------------------------------------
# Each audit row's hash covers the row before it and its id is the previous id + 1, so appenders
# must take turns from reading the head to committing (how: each dialect's lock_audit_chain).


def lock_audit_chain(database: peewee.Database) -> None:
    """Hold the audit chain until the current transaction ends."""
    dialect_of(database).lock_audit_chain(database)


def audit_chain_appended(database: peewee.Database, last_id: int) -> None:
    """Audit rows were inserted with explicit ids up to ``last_id``: an insert by id default
    (psql, a test) must not collide with them."""
    dialect_of(database).audit_chain_appended(database, last_id)
