"""The guard "not part of an unfinished import": the one condition every reader of cases,
clients and workers applies, so that an import written in batches (core/imports/runs.py) stays
all-or-nothing for everyone else until its last batch.

An unfinished import's rows have their ids in ``import_pending_<table>``. The condition is
uncorrelated, so the database evaluates each subquery once per query: ids below the smallest
pending id pass on one comparison, the rest are looked up in the (usually empty) pending table.
"""

from __future__ import annotations

from collections.abc import Iterable

from peewee import Expression, Field, ForeignKeyField, fn

from psm_tui.store.database import db
from psm_tui.store.models import (
    BaseModel,
    Case,
    Client,
    ImportPending,
    ImportPendingCase,
    ImportPendingClient,
    ImportPendingWorker,
    Worker,
)

PENDING: dict[type[BaseModel], type[ImportPending]] = {
    Case: ImportPendingCase,
    Client: ImportPendingClient,
    Worker: ImportPendingWorker,
}
_ABOVE_ALL = 1 << 62  # larger than any id: nothing pending


def visible(key: Field) -> Expression:
    """``key`` (the id of a case, client or worker, or a column that refers to one) is not a
    row of an unfinished import."""
    pending = PENDING[key.rel_model if isinstance(key, ForeignKeyField) else key.model]
    first = pending.select(fn.MIN(pending.id))
    return (key < fn.COALESCE(first, _ABOVE_ALL)) | key.not_in(pending.select(pending.id))


def hide(model: type[BaseModel], ids: Iterable[int]) -> None:
    """Within a batch's transaction: ``ids`` of ``model`` stay hidden until :func:`reveal`."""
    pending = PENDING[model]
    sql = f'INSERT INTO "{pending._meta.table_name}" ("id") VALUES ({db.obj.param})'
    db.cursor().executemany(sql, [(i,) for i in ids])


def reveal() -> None:
    """Within the run's final transaction: every pending row becomes visible at once (one
    import runs at a time, so the tables hold that run's rows only)."""
    for pending in PENDING.values():
        pending.delete().execute()
