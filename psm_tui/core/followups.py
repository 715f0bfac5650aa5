"""Follow-ups (tindak lanjut / rujukan): one request to one OPD about one case."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from dataclasses import dataclass
from typing import Any

from psm_tui.core import audit, clock, emergency, programmes, sensitive
from psm_tui.core.case_queries import DUE_SOON_DAYS, case_row, followup_info
from psm_tui.core.dto import Actor, FollowUpInfo
from psm_tui.core.emergency import followup_scope
from psm_tui.core.errors import ConflictError, NotFoundError, ValidationError
from psm_tui.core.labels import FOLLOWUP_OPEN, FOLLOWUP_STATUSES, OPEN_STATUSES
from psm_tui.core.reference import find_opd, kelurahan_by_code
from psm_tui.core.timeline import encode, fact
from psm_tui.core.users import require
from psm_tui.core.validation import parse_date, validate_text
from psm_tui.i18n import _, format_date
from psm_tui.store.database import db
from psm_tui.store.models import Activity, Case, Client, FollowUp, Opd

# status -> statuses reachable from it
FOLLOWUP_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "dikirim": ("diterima", "selesai", "ditolak", "dibatalkan"),
    "diterima": ("selesai", "ditolak", "dibatalkan"),
    "selesai": (),
    "ditolak": (),
    "dibatalkan": (),
}


@dataclass(frozen=True)
class FollowUpFilter:
    opd: str | None = None
    status: tuple[str, ...] = ()
    overdue: bool = False
    due_soon: bool = False
    open_only: bool = False
    case_number: str | None = None
    kecamatan: str | None = None
    search: str | None = None  # part of the case number, the client's name or the request


def create_followup(
    actor: Actor,
    number: str,
    *,
    opd: str,
    action: str,
    due: str | dt.date | None = None,
    default_days: int = 14,
) -> FollowUpInfo:
    opd_ref = find_opd(opd)
    body = validate_text(action, "action", required=True)
    due_on = parse_date(due, "due") or clock.today() + dt.timedelta(days=default_days)
    if due_on < clock.today():
        raise ValidationError(
            _("The due date {date} is in the past").format(date=format_date(due_on)), "due"
        )
    with db.atomic():
        case = case_row(number)
        emergency.check_restricted(actor, case)
        require(actor, "followup.write", kelurahan_by_code(case.kelurahan_code).kecamatan_code)
        if case.status not in OPEN_STATUSES:
            raise ConflictError(
                _("Case {number} is {status}; reopen it first").format(
                    number=case.number, status=case.status
                )
            )
        now = clock.now()
        row = FollowUp.create(
            case=case.id,
            opd=opd_ref.code,
            action=body,
            due_on=due_on,
            status="dikirim",
            created_by=actor.id,
            created_at=now,
            updated_at=now,
        )
        Activity.create(
            case=case.id,
            kind="rujukan",
            author=actor.id,
            at=now,
            data=encode(
                fact(
                    "followup",
                    opd=opd_ref.code,
                    opd_name=opd_ref.name,
                    action=body,
                    due=due_on.isoformat(),
                )
            ),
        )
        audit.record(
            actor,
            "followup.create",
            "followup",
            row.id,
            {
                "opd": [None, opd_ref.code],
                "action": [None, body],
                "due_on": [None, due_on],
                "status": [None, "dikirim"],
            },
            case_number=case.number,
        )
    return get_followup(row.id)


def update_followup(
    actor: Actor, followup_id: int, status: str, *, response: str | None = None
) -> FollowUpInfo:
    """Accept, complete, reject (with the OPD's reason) or cancel a follow-up."""
    status = status.strip().lower()
    if status not in FOLLOWUP_TRANSITIONS:
        raise ValidationError(
            _("Unknown follow-up status {status}; use one of {choices}").format(
                status=status, choices=", ".join(FOLLOWUP_TRANSITIONS)
            ),
            "status",
        )
    text = validate_text(response, "response")
    with db.atomic():
        row = FollowUp.get_or_none(FollowUp.id == followup_id)
        if row is None:
            raise NotFoundError(_("Follow-up {id} not found").format(id=followup_id))
        case = Case.get_by_id(row.case_id)
        require(actor, "followup.write", kelurahan_by_code(case.kelurahan_code).kecamatan_code)
        if status not in FOLLOWUP_TRANSITIONS[row.status]:
            raise ConflictError(
                _("Follow-up {id} cannot go from {old} to {new}").format(
                    id=followup_id, old=row.status, new=status
                )
            )
        if status == "ditolak" and not text:
            raise ValidationError(_("A rejection needs the OPD's reason"), "response")
        now = clock.now()
        changes: dict[str, object] = {"status": status, "updated_at": now}
        if text:
            changes["reason" if status == "ditolak" else "response"] = text
        if status in ("diterima", "selesai", "ditolak") and row.responded_at is None:
            changes["responded_at"] = now
        before = {key: getattr(row, key) for key in changes}
        FollowUp.update(**changes).where(FollowUp.id == followup_id).execute()
        opd = Opd.get_by_id(row.opd_code)
        Activity.create(
            case=case.id,
            kind="rujukan",
            author=actor.id,
            at=now,
            data=encode(fact("followup_status", opd=opd.abbrev, status=status, text=text or None)),
        )
        audit.record(
            actor,
            "followup.update",
            "followup",
            followup_id,
            audit.diff(before, changes),
            case_number=case.number,
        )
    return get_followup(followup_id)


def cancel_open_followups(actor: Actor, case_number: str) -> int:
    """Cancel the follow-ups of a case still waiting on an OPD (a case being resolved or
    closed no longer needs them); returns how many."""
    open_ids = [
        row.id
        for row in FollowUp.select(FollowUp.id)
        .join(Case)
        .where(Case.number == case_number, FollowUp.status.in_(FOLLOWUP_OPEN))
        .order_by(FollowUp.id)
    ]
    with db.atomic():
        for followup_id in open_ids:
            update_followup(actor, followup_id, "dibatalkan")
    return len(open_ids)


def get_followup(followup_id: int) -> FollowUpInfo:
    row = (
        FollowUp.select(FollowUp, Opd, Case)
        .join(Opd)
        .switch(FollowUp)
        .join(Case)
        .where(FollowUp.id == followup_id)
        .first()
    )
    if row is None:
        raise NotFoundError(_("Follow-up {id} not found").format(id=followup_id))
    return followup_info(row, row.case.number, clock.today())


def _followups_query(
    filters: FollowUpFilter, actor: Actor | None, *, walk_order: bool = False
) -> Any:
    """The follow-ups ``filters`` select, of the cases ``actor`` may read; ``walk_order``: the
    scope leaves the indexes to the follow-ups' own order (``emergency.followups_in_kecamatan``)."""
    today = clock.today()
    query = FollowUp.select(FollowUp, Opd, Case).join(Opd).switch(FollowUp).join(Case)
    for condition in followup_scope(actor, walk_order=walk_order):
        query = query.where(condition)
    if filters.opd:
        query = query.where(FollowUp.opd == find_opd(filters.opd).code)
    if filters.status:
        query = query.where(FollowUp.status.in_(filters.status))
    if filters.open_only or filters.overdue or filters.due_soon:
        query = query.where(FollowUp.status.in_(FOLLOWUP_OPEN))
    if filters.overdue:
        query = query.where(FollowUp.due_on < today)
    if filters.due_soon:
        query = query.where(FollowUp.due_on.between(today, today + dt.timedelta(DUE_SOON_DAYS)))
    if filters.case_number:
        query = query.where(Case.number == filters.case_number)
    if filters.kecamatan:
        query = query.where(emergency.followups_in_kecamatan(filters.kecamatan))
    if filters.search and filters.search.strip():
        text = filters.search.strip()
        client = Client.select(Client.id).where(Client.name.contains(text))
        query = query.where(
            Case.number.contains(text) | FollowUp.action.contains(text) | Case.client.in_(client)
        )
        full = sensitive.full_condition(actor)
        if full is not None:  # a restricted case is not found by its client or its words
            query = query.where(full)
    return query


def list_followups(
    filters: FollowUpFilter = FollowUpFilter(),
    limit: int | None = 500,
    actor: Actor | None = None,
) -> list[FollowUpInfo]:
    """Open ones first, by due date (so the overdue lead), then the closed: ordered in SQL, so a
    limited list holds the follow-ups that need work, not the oldest closed ones.

    A limited list is read a status at a time in the order of the (status, due date) index, and
    the statuses of each group merged: it stops after ``limit`` rows instead of sorting every
    follow-up of the city (at 1M cases, 67k open ones: 150 ms for one page)."""
    today = clock.today()
    if limit is None:
        query = _followups_query(filters, actor).order_by(
            FollowUp.status.not_in(FOLLOWUP_OPEN), FollowUp.due_on.asc(nulls="LAST"), FollowUp.id
        )
        return [followup_info(row, row.case.number, today) for row in query]
    wanted = [s for s in FOLLOWUP_STATUSES if not filters.status or s in filters.status]
    if filters.open_only or filters.overdue or filters.due_soon:
        wanted = [s for s in wanted if s in FOLLOWUP_OPEN]
    rows: list[FollowUp] = []
    for group in (
        [s for s in wanted if s in FOLLOWUP_OPEN],
        [s for s in wanted if s not in FOLLOWUP_OPEN],
    ):
        rows.extend(_first_of(filters, actor, group, limit - len(rows)))
    return [followup_info(row, row.case.number, today) for row in rows]


def _first_of(
    filters: FollowUpFilter, actor: Actor | None, statuses: list[str], limit: int
) -> list[FollowUp]:
    """The first ``limit`` follow-ups in ``statuses`` by due date (none last), then id."""
    if limit <= 0 or not statuses:
        return []
    query = _followups_query(filters, actor, walk_order=True)
    dated = [
        query.where(FollowUp.status == status, FollowUp.due_on.is_null(False))
        .order_by(FollowUp.due_on, FollowUp.id)
        .limit(limit)
        for status in statuses
    ]
    # Lazy: only the rows taken are fetched and made into models.
    merged = list(
        itertools.islice(heapq.merge(*dated, key=lambda row: (row.due_on, row.id)), limit)
    )
    if len(merged) < limit:
        undated = query.where(FollowUp.status.in_(statuses), FollowUp.due_on.is_null())
        merged.extend(undated.order_by(FollowUp.id).limit(limit - len(merged)))
    return merged


def count_followups(filters: FollowUpFilter = FollowUpFilter(), actor: Actor | None = None) -> int:
    """How many follow-ups ``list_followups`` would give without a limit."""
    return int(_followups_query(filters, actor).count())


def followups_by_case(case_ids: list[int]) -> dict[int, list[FollowUpInfo]]:
    """The follow-ups of many cases in one query (for list exports)."""
    today = clock.today()
    result: dict[int, list[FollowUpInfo]] = {case_id: [] for case_id in case_ids}
    if not case_ids:
        return result
    query = (
        FollowUp.select(FollowUp, Opd, Case)
        .join(Opd)
        .switch(FollowUp)
        .join(Case)
        .where(FollowUp.case.in_(case_ids))
        .order_by(FollowUp.id)
    )
    for row in query:
        result[row.case_id].append(followup_info(row, row.case.number, today))
    return result


def answer_followup(
    actor: Actor,
    followup_id: int,
    status: str,
    *,
    response: str | None = None,
    programme: str | None = None,
) -> FollowUpInfo:
    """The OPD's answer to a follow-up and, when it says so, the programme the client now
    receives: one transaction, so the enrolment never exists without the answer."""
    with db.atomic():
        answered = update_followup(actor, followup_id, status, response=response)
        if programme:
            programmes.enrol_from_followup(actor, followup_id, programme)
    return answered
