"""Assigning a case to a PSM: candidates by kelurahan, then kecamatan, then the TKSK."""

from __future__ import annotations

from psm_tui.core import clock, emergency
from psm_tui.core.case_queries import case_detail, case_row
from psm_tui.core.cases import check_version, save_case
from psm_tui.core.dto import Actor, AssignResult, Candidate, WorkerInfo
from psm_tui.core.errors import ConflictError, NotFoundError, ValidationError
from psm_tui.core.labels import OPEN_STATUSES, status_label
from psm_tui.core.reference import kelurahan_by_code
from psm_tui.core.timeline import Fact, encode, fact, render
from psm_tui.core.users import PERMISSIONS, can, require, role_label
from psm_tui.core.validation import validate_text
from psm_tui.core.workers import WorkerFilter, get_worker, list_workers
from psm_tui.i18n import _
from psm_tui.store.database import db
from psm_tui.store.models import Assignment, Worker


def candidates(number: str) -> list[Candidate]:
    """Active PSM of the case's kelurahan (least open caseload first), then the rest of the
    kecamatan's PSM, then the kecamatan's TKSK."""
    case = case_row(number)
    kel = kelurahan_by_code(case.kelurahan_code)
    workers = list_workers(WorkerFilter(kecamatan=kel.kecamatan_code, active=True))

    def by_load(w: WorkerInfo) -> tuple[int, str, int]:
        return (w.open_cases, w.name, w.id)

    local = sorted(
        (w for w in workers if w.kind == "psm" and w.kelurahan_code == kel.code), key=by_load
    )
    nearby = sorted(
        (w for w in workers if w.kind == "psm" and w.kelurahan_code != kel.code), key=by_load
    )
    tksk = [w for w in workers if w.kind == "tksk"]

    def candidate(w: WorkerInfo, tier: str, basis: Fact) -> Candidate:
        return Candidate(w, tier, render(basis), basis)

    result = [
        candidate(w, "kelurahan", fact("candidate.kelurahan", kel=kel.label, n=w.open_cases))
        for w in local
    ]
    result += [
        candidate(
            w, "kecamatan", fact("candidate.kecamatan", other=w.kelurahan_name, n=w.open_cases)
        )
        for w in nearby
    ]
    result += [candidate(w, "tksk", fact("candidate.tksk", kec=kel.kecamatan_name)) for w in tksk]
    return result


def _auto_reason(first: Candidate, kelurahan_name: str, kecamatan_name: str) -> Fact:
    if first.tier == "kelurahan":
        return fact("auto.kelurahan", kel=kelurahan_name, n=first.worker.open_cases)
    if first.tier == "kecamatan":
        return fact("auto.kecamatan", kel=kelurahan_name, why=first.basis or first.reason)
    return fact("auto.tksk", kec=kecamatan_name)


def not_assignable(actor: Actor, number: str, status: str) -> str | None:
    """Why ``actor`` cannot assign the case (``None`` if they can): said before a dialog opens
    rather than after a save is refused."""
    if not can(actor, "case.assign"):
        return _("Assigning needs the {role} role (you are {current})").format(
            role=role_label(PERMISSIONS["case.assign"]), current=role_label(actor.role)
        )
    if status not in OPEN_STATUSES:
        return _("Case {number} is {status}; reopen it before assigning").format(
            number=number, status=status_label(status)
        )
    return None


def assign_case(
    actor: Actor,
    number: str,
    *,
    worker_id: int | None = None,
    auto: bool = False,
    reason: str | Fact = "",
    expected_version: int | None = None,
) -> AssignResult:
    """Give the case to a worker (or the first candidate with ``auto``), recording why.

    ``reason`` is text the user typed or a timeline fact (bulk, hand-over); it is stored as a
    fact so each reader sees it in their own language."""
    if (worker_id is None) == (not auto):
        raise ValidationError(_("Give either a worker or auto"), "worker")
    with db.atomic():
        case = case_row(number)
        emergency.check_restricted(actor, case)
        check_version(case, expected_version)
        kel = kelurahan_by_code(case.kelurahan_code)
        require(actor, "case.assign", kel.kecamatan_code)
        if case.status not in OPEN_STATUSES:
            raise ConflictError(not_assignable(actor, case.number, case.status) or "")
        if worker_id is None:  # auto (exactly one of the two was given)
            options = candidates(number)
            options = [c for c in options if c.worker.id != case.worker_id] or options
            if not options:
                raise ConflictError(
                    _("No active PSM or TKSK in Kec. {kec}").format(kec=kel.kecamatan_name)
                )
            worker = options[0].worker
            why = _auto_reason(options[0], kel.name, kel.kecamatan_name)
        else:
            worker = _assignable(actor, worker_id, kel.kecamatan_code)
            typed = reason if isinstance(reason, dict) else validate_text(reason, "reason")
            if isinstance(typed, dict):
                why = typed
            else:
                why = fact("text", text=typed) if typed else fact("chosen", user=actor.full_name)
        if worker.id == case.worker_id:
            raise ConflictError(
                _("Case {number} is already held by {name}").format(
                    number=case.number, name=worker.name
                )
            )
        now = clock.now()
        Assignment.update(ended_at=now).where(
            Assignment.case == case.id, Assignment.ended_at.is_null()
        ).execute()
        Assignment.create(
            case=case.id,
            worker=worker.id,
            assigned_by=actor.id,
            assigned_at=now,
            reason=encode(why),
        )
        changes: dict[str, object] = {"worker": worker.id}
        if case.status == "baru":
            changes["status"] = "ditugaskan"
        save_case(
            actor,
            case,
            expected_version,
            changes,
            "case.assign",
            activity=(
                "penugasan",
                fact("assign", worker=worker.id, worker_name=worker.name, why=why),
            ),
            detail=encode(why),
        )
    return AssignResult(case_detail(actor, number), get_worker(worker.id), render(why))


def _assignable(actor: Actor, worker_id: int, kecamatan_code: str) -> WorkerInfo:
    worker = Worker.get_or_none(Worker.id == worker_id)
    if worker is None:
        raise NotFoundError(_("Worker {id} not found").format(id=worker_id))
    if not worker.active:
        raise ConflictError(_("{name} is inactive").format(name=worker.name))
    if worker.kecamatan_code != kecamatan_code:
        require(actor, "case.reassign_any")
    return get_worker(worker_id)
