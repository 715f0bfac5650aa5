"""A worker's profile, and the moves and departures that hand their open cases over.

A PSM who moves or leaves must never keep open cases: the hand-over, the move (or the
deactivation) and every audit row land in one transaction, or nothing does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from peewee import ModelSelect, fn

from psm_tui.core import assignment, audit, clock, ipsm, training, workers
from psm_tui.core.case_queries import CaseFilter, list_cases
from psm_tui.core.dto import Actor, CaseSummary, WorkerInfo
from psm_tui.core.errors import ConflictError, NotFoundError, ValidationError
from psm_tui.core.labels import NOTE_KINDS, OPEN_STATUSES
from psm_tui.core.reference import find_kelurahan
from psm_tui.core.timeline import Fact, fact, render
from psm_tui.core.users import require
from psm_tui.core.validation import validate_text
from psm_tui.i18n import _
from psm_tui.store.database import db
from psm_tui.store.models import Activity, Assignment, Case, IpsmPosition, Worker
from psm_tui.store.rows import as_datetime, as_optional_datetime, tuples

ACTIVITY_KINDS = NOTE_KINDS
"""Fieldwork that counts as activity: notes, home visits and calls (not system events)."""

PAST_CASES_SHOWN = 20


@dataclass(frozen=True)
class PastCase:
    number: str
    status: str
    assigned_at: dt.datetime
    ended_at: dt.datetime | None


@dataclass(frozen=True)
class WorkerProfile:
    worker: WorkerInfo
    inactive_on: dt.date | None
    open_cases: list[CaseSummary]
    past_case_count: int
    past_cases: list[PastCase]
    last_activity: dt.datetime | None
    active_months: list[dt.date]
    trainings: list[training.TrainingInfo]
    positions: list[ipsm.PositionInfo]


@dataclass(frozen=True)
class HandoverItem:
    """Where one open case went. ``basis`` says why this colleague; ``reason`` is the full text
    stored on the assignment (the move or departure, then the basis)."""

    case_number: str
    worker_id: int
    worker_name: str
    basis: str
    reason: str


@dataclass(frozen=True)
class RosterChange:
    """A move or a departure: the worker as they are now, and where each open case went."""

    worker: WorkerInfo
    handed_over: list[HandoverItem]
    positions_ended: int


def held_activities() -> ModelSelect[Activity]:
    """THE incentive rule's evidence: notes, home visits and calls logged for a worker
    (``Activity.worker``) on a case that worker held at that moment (assignment history)."""
    held = (
        (Assignment.case == Activity.case)
        & (Assignment.worker == Activity.worker)
        & (Assignment.assigned_at <= Activity.at)
        & (Assignment.ended_at.is_null() | (Assignment.ended_at >= Activity.at))
    )
    return (
        Activity.select()
        .join(Assignment, on=held)
        .where(Activity.worker.is_null(False), Activity.kind.in_(ACTIVITY_KINDS))
    )


def active_months_by_worker(
    worker_ids: Iterable[int] | None = None,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> dict[int, list[dt.date]]:
    """The months (as their first day) in which each worker earned the incentive
    (:func:`held_activities`), between ``since`` and ``until`` inclusive."""
    year, month = Activity.at.year, Activity.at.month
    query = (
        held_activities()
        .select(Activity.worker, year, month)
        .group_by(Activity.worker, year, month)
    )
    if worker_ids is not None:
        query = query.where(Activity.worker.in_(list(worker_ids)))
    if since is not None:
        query = query.where(Activity.at >= dt.datetime.combine(since.replace(day=1), dt.time()))
    if until is not None:
        query = query.where(Activity.at < dt.datetime.combine(until + dt.timedelta(1), dt.time()))
    months: dict[int, list[dt.date]] = {}
    for worker_id, y, m in tuples(query):
        months.setdefault(worker_id, []).append(dt.date(int(y), int(m), 1))
    return {worker_id: sorted(found) for worker_id, found in months.items()}


def active_months(
    worker_id: int, *, since: dt.date | None = None, until: dt.date | None = None
) -> list[dt.date]:
    """The months one worker earned the incentive in (see :func:`active_months_by_worker`)."""
    return active_months_by_worker([worker_id], since=since, until=until).get(worker_id, [])


def last_activity(worker_id: int) -> dt.datetime | None:
    return as_optional_datetime(
        Activity.select(fn.MAX(Activity.at))
        .where(Activity.worker == worker_id, Activity.kind.in_(ACTIVITY_KINDS))
        .scalar()
    )


def _past_cases(worker_id: int) -> tuple[int, list[PastCase]]:
    """Cases the worker held before and no longer holds open."""
    held_now = Case.select(Case.id).where(Case.worker == worker_id, Case.status.in_(OPEN_STATUSES))
    query = (
        Assignment.select(
            Case.number, Case.status, fn.MIN(Assignment.assigned_at), fn.MAX(Assignment.ended_at)
        )
        .join(Case)
        .where(Assignment.worker == worker_id, Assignment.case.not_in(held_now))
        .group_by(Case.id, Case.number, Case.status)
    )
    total = query.count()
    rows = tuples(query.order_by(fn.MIN(Assignment.assigned_at).desc()).limit(PAST_CASES_SHOWN))
    return total, [
        PastCase(number, status, as_datetime(start), as_optional_datetime(end))
        for number, status, start, end in rows
    ]


def profile(actor: Actor, worker_id: int) -> WorkerProfile:
    """Everything the office knows about one worker (profile screen, ``worker profile``)."""
    info = workers.get_worker(worker_id)
    row = Worker.get_by_id(worker_id)
    past_count, past = _past_cases(worker_id)
    return WorkerProfile(
        worker=info,
        inactive_on=row.inactive_on,
        open_cases=list_cases(
            actor,
            CaseFilter(status=OPEN_STATUSES, worker_id=worker_id),
            limit=500,
            order="priority",
        ),
        past_case_count=past_count,
        past_cases=past,
        last_activity=last_activity(worker_id),
        active_months=active_months(worker_id),
        trainings=training.worker_trainings(worker_id),
        positions=ipsm.worker_positions(worker_id),
    )


def _colleagues(departing: Worker, to: Iterable[int]) -> list[WorkerInfo]:
    chosen: list[WorkerInfo] = []
    for worker_id in dict.fromkeys(to):
        if worker_id == departing.id:
            raise ValidationError(
                _("{name} cannot hand cases over to themself").format(name=departing.name), "to"
            )
        info = workers.get_worker(worker_id)
        if not info.active:
            raise ConflictError(_("{name} is inactive").format(name=info.name))
        chosen.append(info)
    return chosen


def _hand_over(
    actor: Actor, departing: Worker, why: Fact, *, auto: bool, to: Iterable[int]
) -> list[HandoverItem]:
    """Give each open case of ``departing`` to a colleague; call inside the caller's transaction.

    With ``to``, each case goes to the chosen colleague with the lightest load so far; with
    ``auto``, to the first assignment candidate for the case (kelurahan, kecamatan, TKSK) other
    than the departing worker.
    """
    cases = list(
        Case.select(Case.number)
        .where(Case.worker == departing.id, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.reported_at, Case.id)
    )
    to = list(to)
    if cases and not auto and not to:
        raise ConflictError(
            _(
                "{name} still holds {count} open cases; hand them over (auto or to colleagues)"
            ).format(name=departing.name, count=len(cases))
        )
    chosen = _colleagues(departing, to) if to else []
    load = {w.id: w.open_cases for w in chosen}
    results: list[HandoverItem] = []
    for case in cases:
        if chosen:
            target = min(chosen, key=lambda w: (load[w.id], chosen.index(w)))
            load[target.id] += 1
            basis = fact("chosen", user=actor.full_name)
        else:
            options = [c for c in assignment.candidates(case.number) if c.worker.id != departing.id]
            if not options:
                raise ConflictError(
                    _(
                        "No other active PSM or TKSK can take case {number}; choose a colleague"
                    ).format(number=case.number)
                )
            target = options[0].worker
            basis = options[0].basis or fact("text", text=options[0].reason)
        reason = fact("handover", why=why, basis=basis)
        done = assignment.assign_case(actor, case.number, worker_id=target.id, reason=reason)
        results.append(
            HandoverItem(
                case.number, done.worker.id, done.worker.name, render(basis), render(reason)
            )
        )
    return results


def _end_positions(actor: Actor, worker_id: int, *, keep_levels: tuple[str, ...] = ()) -> int:
    """End the worker's current IPSM terms (they left the unit); cancel terms not yet begun."""
    today = clock.today()
    ended = 0
    query = IpsmPosition.select().where(
        IpsmPosition.worker == worker_id,
        IpsmPosition.end_on.is_null() | (IpsmPosition.end_on > today),
    )
    if keep_levels:
        query = query.where(IpsmPosition.level.not_in(keep_levels))
    for position in query:
        ipsm.close_term(actor, position, today)
        ended += 1
    return ended


def move_worker(
    actor: Actor,
    worker_id: int,
    kelurahan: str,
    *,
    auto: bool = False,
    to: Iterable[int] = (),
    kecamatan: str | None = None,
) -> RosterChange:
    """Move a PSM to another kelurahan, handing their open cases over in the same transaction."""
    require(actor, "worker.manage")
    target = find_kelurahan(kelurahan, kecamatan)
    with db.atomic():
        worker = _worker_row(worker_id)
        if worker.kind != "psm":
            raise ConflictError(_("Only a PSM can move to another kelurahan"))
        if not worker.active:
            raise ConflictError(_("{name} is inactive").format(name=worker.name))
        if worker.kelurahan_code == target.code:
            raise ConflictError(
                _("{name} already serves {kel}").format(name=worker.name, kel=target.label)
            )
        why = fact("moved", name=worker.name, kel=target.label)
        handed = _hand_over(actor, worker, why, auto=auto, to=to)
        keep = (
            ("kota",) if worker.kecamatan_code != target.kecamatan_code else ("kota", "kecamatan")
        )
        ended = _end_positions(actor, worker.id, keep_levels=keep)
        before = {"kelurahan": worker.kelurahan_code, "kecamatan": worker.kecamatan_code}
        after = {"kelurahan": target.code, "kecamatan": target.kecamatan_code}
        Worker.update(kelurahan=target.code, kecamatan=target.kecamatan_code).where(
            Worker.id == worker.id
        ).execute()
        audit.record(
            actor,
            "worker.move",
            "worker",
            worker.id,
            audit.diff(before, after),
            detail=_handover_detail(handed),
        )
    return RosterChange(workers.get_worker(worker_id), handed, ended)


def deactivate_worker(
    actor: Actor,
    worker_id: int,
    reason: str,
    *,
    auto: bool = False,
    to: Iterable[int] = (),
) -> RosterChange:
    """Deactivate a worker (reason and date recorded), handing their open cases over first."""
    require(actor, "worker.manage")
    reason = validate_text(reason, "reason", limit=500)
    if not reason:
        raise ValidationError(_("Give the reason for deactivating"), "reason")
    with db.atomic():
        worker = _worker_row(worker_id)
        if not worker.active:
            raise ConflictError(_("Worker {name} is already inactive").format(name=worker.name))
        why = fact("left", name=worker.name, reason=reason)
        handed = _hand_over(actor, worker, why, auto=auto, to=to)
        ended = _end_positions(actor, worker.id)
        info = workers.deactivate_worker(actor, worker_id, reason)
    return RosterChange(info, handed, ended)


def _worker_row(worker_id: int) -> Worker:
    worker = Worker.get_or_none(Worker.id == worker_id)
    if worker is None:
        raise NotFoundError(_("Worker {id} not found").format(id=worker_id))
    return worker


def _handover_detail(handed: list[HandoverItem]) -> str:
    return ", ".join(f"{item.case_number}->{item.worker_id}" for item in handed)
