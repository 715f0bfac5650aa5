"""What the case screen shows, read in one worker: the case and its audit trail in words. Also
the result the akses darurat dialog closes with, so the screen shows it without a second read."""

from __future__ import annotations

from dataclasses import dataclass

from psm_tui.core import audit, case_queries, privacy
from psm_tui.core.audit_text import AuditLine, audit_lines
from psm_tui.core.dto import Actor, CaseDetail

AUDIT_SHOWN = 200  # the latest audit entries read with a case


@dataclass(frozen=True)
class CaseRecord:
    detail: CaseDetail
    audit: list[AuditLine]


def read_case(who: Actor, number: str, *, first: bool, emergency: str | None = None) -> CaseRecord:
    """The case and its audit trail; opening it (``first``) is audited, with ``emergency`` a
    reason: akses darurat to a case outside the user's scope. The trail is worded here, where
    the database may be read (names for codes), not while the screen paints."""
    if emergency is not None:
        detail = privacy.view_case_emergency(who, number, emergency)
    elif first:
        detail = privacy.view_case(who, number)
    else:
        detail = case_queries.case_detail(who, number)
    entries = audit.entries(case_number=detail.number, limit=AUDIT_SHOWN)
    return CaseRecord(detail, audit_lines(entries))
