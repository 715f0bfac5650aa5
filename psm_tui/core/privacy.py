"""Reads that UU PDP wants on record: a client's full record, and the audit trail itself."""

from __future__ import annotations

import datetime as dt

from psm_tui.core import audit, emergency
from psm_tui.core.audit import AuditEntry
from psm_tui.core.case_queries import case_detail
from psm_tui.core.dto import Actor, CaseDetail
from psm_tui.core.users import can, require


def view_case(actor: Actor, number: str) -> CaseDetail:
    """The whole record of one case for a person to look at; the view is audited.

    Use this (not ``case_detail``) wherever a user opens a case: CLI ``case show``, the TUI's case
    screen. Refreshes of an already open screen need not call it again.
    """
    require(actor, "read")
    detail = case_detail(actor, number)
    audit.record(
        actor,
        "case.view",
        "client",
        detail.client.id,
        detail="full NIK" if can(actor, "nik.full") else "masked NIK",
        case_number=detail.number,
    )
    return detail


def view_case_emergency(actor: Actor, number: str, reason: str) -> CaseDetail:
    """Akses darurat: open a case outside the actor's scope, for a stated reason (audited).

    Within the scope (or for a citywide role) this is an ordinary view; no grant is made."""
    emergency.grant(actor, number, reason)
    return view_case(actor, number)


def audit_trail(
    actor: Actor,
    *,
    username: str | None = None,
    case_number: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 1000,
) -> list[AuditEntry]:
    """The newest ``limit`` audit rows matching the filters, oldest first (supervisors up)."""
    require(actor, "audit.read")
    found = audit.entries(
        username=username, case_number=case_number, since=since, until=until, limit=limit
    )
    wanted = {"user": username, "case": case_number, "since": since, "until": until}
    audit.record(
        actor,
        "audit.read",
        "audit",
        None,
        detail=" ".join(f"{key}={value}" for key, value in wanted.items() if value),
    )
    return found
