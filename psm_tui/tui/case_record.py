"""What the case screen shows, read in one worker: the case and its audit trail. Also the
result the akses darurat dialog closes with, so the screen shows it without a second read."""

from __future__ import annotations

from dataclasses import dataclass

from psm_tui.core import audit, case_queries, privacy
from psm_tui.core.audit import AuditEntry
from psm_tui.core.dto import Actor, CaseDetail

AUDIT_READ = 5000  # audit entries read with a case (the screen shows the latest)


@dataclass(frozen=True)
class CaseRecord:
    detail: CaseDetail
    entries: list[AuditEntry]


def read_case(who: Actor, number: str, *, first: bool, emergency: str | None = None) -> CaseRecord:
    """The case and its audit trail; opening it (``first``) is audited, with ``emergency`` a
    reason: akses darurat to a case outside the user's scope."""
    if emergency is not None:
        detail = privacy.view_case_emergency(who, number, emergency)
    elif first:
        detail = privacy.view_case(who, number)
    else:
        detail = case_queries.case_detail(who, number)
    return CaseRecord(detail, audit.entries(case_number=detail.number, limit=AUDIT_READ))
