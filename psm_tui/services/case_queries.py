"""Reading cases: filters, pages of a list, counts, and the whole record of one case."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, Case as SqlCase, ModelSelect, fn

from psm_tui.i18n import _
from psm_tui.models import (
    Activity,
    Assignment,
    Case,
    Category,
    Client,
    FollowUp,
    Kecamatan,
    Kelurahan,
    Opd,
    StaffUser,
    Worker,
)
from psm_tui.services import clock
from psm_tui.services.dto import (
    Actor,
    ActivityInfo,
    AssignmentInfo,
    CaseDetail,
    CaseSummary,
    ClientInfo,
    FollowUpInfo,
    KelurahanRef,
    Ref,
    WorkerRef,
)
from psm_tui.services.errors import NotFoundError
from psm_tui.services.labels import FOLLOWUP_OPEN
from psm_tui.services.users import can

DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class CaseFilter:
    status: tuple[str, ...] = ()
    kecamatan: str | None = None
    kelurahan: str | None = None
    category: str | None = None
    priority: str | None = None
    worker_id: int | None = None
    unassigned: bool = False
    overdue: bool = False
    search: str | None = None
    created_by: int | None = None


def mask_nik(nik: str | None, actor: Actor | None) -> str | None:
    """``3671********0001`` unless the actor's role may see NIKs in full."""
    if not nik or (actor is not None and can(actor, "nik.full")):
        return nik
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]


def overdue_followups_query(today: dt.date) -> ModelSelect:
    return FollowUp.select(FollowUp.case).where(
        FollowUp.status.in_(FOLLOWUP_OPEN), FollowUp.due_on < today
    )


def _search_condition(text: str):  # noqa: ANN202 - a peewee expression
    text = text.strip()
    digits = text.replace(" ", "")
    if digits.isdigit() and len(digits) == 16:
        return Client.nik == digits
    if len(text) == 11 and text[4] == "-" and text.replace("-", "").isdigit():
        return Case.number == text
    pattern = f"%{text}%"
    return (Client.name ** pattern) | (Case.description ** pattern) | (Case.number ** f"{text}%")


def filtered(filters: CaseFilter) -> ModelSelect:
    """The cases matching ``filters``, joined with what a list row shows."""
    query = (
        Case.select(Case, Client, Kelurahan, Kecamatan, Category, Worker)
        .join(Client)
        .switch(Case)
        .join(Kelurahan)
        .join(Kecamatan)
        .switch(Case)
        .join(Category)
        .switch(Case)
        .join(Worker, JOIN.LEFT_OUTER)
    )
    conditions = []
    if filters.status:
        conditions.append(Case.status.in_(filters.status))
    if filters.kecamatan:
        conditions.append(Kelurahan.kecamatan == filters.kecamatan)
    if filters.kelurahan:
        conditions.append(Case.kelurahan == filters.kelurahan)
    if filters.category:
        conditions.append(Case.category == int(filters.category))
    if filters.priority:
        conditions.append(Case.priority == filters.priority)
    if filters.worker_id:
        conditions.append(Case.worker == filters.worker_id)
    if filters.unassigned:
        conditions.append(Case.worker.is_null())
    if filters.overdue:
        conditions.append(Case.id.in_(overdue_followups_query(clock.today())))
    if filters.created_by:
        conditions.append(Case.created_by == filters.created_by)
    if filters.search:
        conditions.append(_search_condition(filters.search))
    for condition in conditions:
        query = query.where(condition)
    return query


PRIORITY_ORDER = SqlCase(
    Case.priority, (("darurat", 0), ("tinggi", 1), ("normal", 2), ("rendah", 3)), 4
)
ORDERINGS = {
    "newest": (Case.reported_at.desc(), Case.id.desc()),
    "oldest": (Case.reported_at.asc(), Case.id.asc()),
    "priority": (PRIORITY_ORDER, Case.reported_at.desc()),
    "number": (Case.number.asc(),),
}


def _summary(row: Case, actor: Actor | None, counts: dict[int, tuple[int, int]]) -> CaseSummary:
    kel = row.kelurahan
    worker = row.worker if row.worker_id else None
    open_count, overdue_count = counts.get(row.id, (0, 0))
    return CaseSummary(
        id=row.id,
        number=row.number,
        status=row.status,
        priority=row.priority,
        category=Ref(str(row.category.code), row.category.name),
        kelurahan=KelurahanRef(kel.code, kel.name, kel.kecamatan.code, kel.kecamatan.name),
        client_name=row.client.name,
        client_nik=mask_nik(row.client.nik, actor),
        worker=WorkerRef(worker.id, worker.name, worker.kind, worker.kelurahan_code)
        if worker
        else None,
        reported_at=row.reported_at,
        updated_at=row.updated_at,
        open_followups=open_count,
        overdue_followups=overdue_count,
        version=row.version,
    )


def _followup_counts(case_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not case_ids:
        return {}
    today = clock.today()
    overdue = fn.SUM(SqlCase(None, ((FollowUp.due_on < today, 1),), 0))
    rows = (
        FollowUp.select(FollowUp.case, fn.COUNT(FollowUp.id), overdue)
        .where(FollowUp.case.in_(case_ids), FollowUp.status.in_(FOLLOWUP_OPEN))
        .group_by(FollowUp.case)
        .tuples()
    )
    return {case_id: (int(n), int(late or 0)) for case_id, n, late in rows}


def list_cases(
    actor: Actor | None,
    filters: CaseFilter = CaseFilter(),
    *,
    limit: int = 50,
    offset: int = 0,
    order: str = "newest",
) -> list[CaseSummary]:
    rows = list(filtered(filters).order_by(*ORDERINGS[order]).limit(limit).offset(offset))
    counts = _followup_counts([r.id for r in rows])
    return [_summary(row, actor, counts) for row in rows]


def count_cases(filters: CaseFilter = CaseFilter()) -> int:
    return filtered(filters).count()


def case_row(number: str) -> Case:
    case = Case.get_or_none(Case.number == number.strip())
    if case is None:
        raise NotFoundError(_("Case {number} not found").format(number=number))
    return case


def followup_info(row: FollowUp, case_number: str, today: dt.date) -> FollowUpInfo:
    is_open = row.status in FOLLOWUP_OPEN
    return FollowUpInfo(
        id=row.id,
        case_number=case_number,
        opd_code=row.opd.code,
        opd_name=row.opd.abbrev,
        action=row.action,
        due_on=row.due_on,
        status=row.status,
        response=row.response,
        responded_at=row.responded_at,
        reason=row.reason,
        created_at=row.created_at,
        overdue=bool(is_open and row.due_on and row.due_on < today),
        due_soon=bool(
            is_open and row.due_on and today <= row.due_on <= today + dt.timedelta(DUE_SOON_DAYS)
        ),
    )


def _username(user: StaffUser | None) -> str:
    return user.username if user else "-"


def case_detail(actor: Actor | None, number: str) -> CaseDetail:
    """The whole record of one case: client, timeline, follow-ups, assignment history."""
    case = case_row(number)
    rows = list(filtered(CaseFilter()).where(Case.id == case.id))
    today = clock.today()
    summary = _summary(rows[0], actor, _followup_counts([case.id]))
    client = rows[0].client
    followups = [
        followup_info(f, case.number, today)
        for f in FollowUp.select(FollowUp, Opd).join(Opd).where(FollowUp.case == case.id)
        .order_by(FollowUp.id)
    ]
    activities = [
        ActivityInfo(a.kind, a.text, _username(a.author), a.at)
        for a in Activity.select(Activity, StaffUser)
        .join(StaffUser, JOIN.LEFT_OUTER)
        .where(Activity.case == case.id)
        .order_by(Activity.at, Activity.id)
    ]
    assignments = [
        AssignmentInfo(a.worker.id, a.worker.name, _username(a.assigned_by), a.assigned_at,
                       a.reason, a.ended_at)
        for a in Assignment.select(Assignment, Worker, StaffUser)
        .join(Worker)
        .switch(Assignment)
        .join(StaffUser, JOIN.LEFT_OUTER)
        .where(Assignment.case == case.id)
        .order_by(Assignment.assigned_at, Assignment.id)
    ]
    return CaseDetail(
        summary=summary,
        client=ClientInfo(
            client.id, client.name, mask_nik(client.nik, actor), mask_nik(client.kk, actor),
            client.sex, client.birth_date, client.address, client.rt, client.rw, client.phone,
            client.dtsen, client.dtsen_desil,
        ),
        description=case.description,
        source=case.source,
        outcome=case.outcome,
        closed_at=case.closed_at,
        created_by=_username(case.created_by),
        updated_by=_username(case.updated_by),
        followups=followups,
        activities=activities,
        assignments=assignments,
    )
