"""The append-only audit log: who, when, what, which record, field-level before/after.

Every row is appended to a hash chain (:mod:`psm_tui.core.audit_chain`), so nothing else
may insert into it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from psm_tui.core import audit_chain, clock, timeline
from psm_tui.core.dto import Actor
from psm_tui.store.models import AuditLog


def _jsonable(value: object) -> object:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value if isinstance(value, str | int | float | bool | None) else str(value)


def diff(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list[object]]:
    """``{field: [before, after]}`` for the fields that changed."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in after
        if before.get(key) != after.get(key)
    }


def record(
    actor: Actor | str,
    action: str,
    entity: str,
    entity_id: object = None,
    changes: Mapping[str, object] | None = None,
    detail: str = "",
    case_number: str | None = None,
    *,
    chained: bool = True,
) -> None:
    """Append one row; call it inside the write's transaction so both land or neither does.

    ``chained=False`` only on a database before migration 0008 (see :func:`audit_chain.append`).
    """
    audit_chain.append(
        [
            (
                clock.now(),
                actor if isinstance(actor, str) else actor.username,
                action,
                entity,
                None if entity_id is None else str(entity_id),
                case_number,
                json.dumps(changes or {}, ensure_ascii=False, default=_jsonable),
                detail,
            )
        ],
        chained=chained,
    )


def record_rows(rows: Iterable[Sequence[object]]) -> int:
    """Append many rows at once (an import): each is ``(at, username, action, entity,
    entity_id, case_number, changes, detail)`` as :func:`record` would store it."""
    return audit_chain.append(rows)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    username: str
    action: str
    entity: str
    entity_id: str | None
    case_number: str | None
    changes: dict[str, object]
    detail: str


def entries(
    *,
    username: str | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    case_number: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 1000,
) -> list[AuditEntry]:
    """The newest ``limit`` rows matching the filters, oldest first (``until`` inclusive)."""
    query = AuditLog.select().order_by(AuditLog.id.desc())
    if username:
        query = query.where(AuditLog.username == username.strip())
    if entity:
        query = query.where(AuditLog.entity == entity)
    if entity_id:
        query = query.where(AuditLog.entity_id == entity_id)
    if case_number:
        query = query.where(AuditLog.case_number == case_number.strip())
    if since:
        query = query.where(AuditLog.at >= dt.datetime.combine(since, dt.time()))
    if until:
        query = query.where(AuditLog.at < dt.datetime.combine(until + dt.timedelta(1), dt.time()))
    rows = list(query.limit(limit))
    return [
        AuditEntry(
            row.id,
            row.at,
            row.username,
            row.action,
            row.entity,
            row.entity_id,
            row.case_number,
            json.loads(row.changes or "{}"),
            timeline.render(row.detail),  # facts worded for the reader; older rows verbatim
        )
        for row in reversed(rows)
    ]
