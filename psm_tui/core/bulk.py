"""Bulk assignment: spread many cases over the PSM of each case's kelurahan by open caseload."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from psm_tui.core.assignment import assign_case, candidates
from psm_tui.core.case_queries import case_row
from psm_tui.core.dto import Actor, Candidate
from psm_tui.core.errors import PsmError
from psm_tui.core.labels import OPEN_STATUSES, status_label
from psm_tui.core.timeline import fact, render
from psm_tui.i18n import _

TIERS = ("kelurahan", "kecamatan", "tksk")


@dataclass(frozen=True)
class PlanItem:
    number: str
    worker_id: int | None
    worker_name: str
    reason: str
    why: dict[str, object] | None = None  # ``reason`` as the timeline fact the assignment stores


@dataclass(frozen=True)
class BulkResult:
    assigned: list[PlanItem] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def _pick(options: list[Candidate], extra: Counter[int]) -> Candidate | None:
    """The least loaded worker (counting this batch) of the nearest tier that has anyone."""
    for tier in TIERS:
        pool = [c for c in options if c.tier == tier]
        if pool:
            return min(
                pool,
                key=lambda c: (
                    c.worker.open_cases + extra[c.worker.id],
                    c.worker.name,
                    c.worker.id,
                ),
            )
    return None


def plan(numbers: list[str]) -> list[PlanItem]:
    """Who would get each unassigned case: per kelurahan the PSM with the fewest open cases,
    counting the cases already given out in this batch; then the kecamatan's PSM; then its TKSK.

    Cases someone already holds are left alone: reassigning is a deliberate, one-by-one act.
    """
    extra: Counter[int] = Counter()
    items: list[PlanItem] = []
    for number in numbers:
        case = case_row(number)
        if case.status not in OPEN_STATUSES:
            items.append(
                PlanItem(
                    case.number,
                    None,
                    "-",
                    _("{status}; not assigned").format(status=status_label(case.status)),
                )
            )
            continue
        if case.worker_id is not None:
            items.append(
                PlanItem(case.number, None, "-", _("already assigned; use a to reassign it"))
            )
            continue
        options = candidates(case.number)
        chosen = _pick(options, extra)
        if chosen is None:
            items.append(PlanItem(case.number, None, "-", _("no active PSM or TKSK")))
            continue
        load = chosen.worker.open_cases + extra[chosen.worker.id]
        extra[chosen.worker.id] += 1
        why = fact("bulk", tier=chosen.tier, n=load)
        items.append(PlanItem(case.number, chosen.worker.id, chosen.worker.name, render(why), why))
    return items


def bulk_assign(actor: Actor, numbers: list[str]) -> BulkResult:
    """Assign every case by :func:`plan`; each case is its own transaction, failures are listed."""
    result = BulkResult()
    for item in plan(numbers):
        if item.worker_id is None:
            result.failed.append((item.number, item.reason))
            continue
        try:
            assign_case(
                actor, item.number, worker_id=item.worker_id, reason=item.why or item.reason
            )
        except PsmError as error:
            result.failed.append((item.number, str(error)))
        else:
            result.assigned.append(item)
    return result
