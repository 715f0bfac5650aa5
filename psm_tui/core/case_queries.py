"""Reading cases: filters, pages of a list, counts, and the whole record of one case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass, fields, replace
from typing import Any, cast

from peewee import JOIN, OP, SQL, Expression, ModelSelect, Node, fn
from peewee import Case as SqlCase

from psm_tui.core import clock, emergency, sensitive
from psm_tui.core.dto import (
    ActivityInfo,
    Actor,
    AssignmentInfo,
    CaseDetail,
    CaseSummary,
    FollowUpInfo,
    KelurahanRef,
    Ref,
    WorkerRef,
)
from psm_tui.core.errors import NotFoundError
from psm_tui.core.labels import FOLLOWUP_OPEN
from psm_tui.core.masks import client_info, mask_nik, nik_masker, record_nik_search
from psm_tui.core.pending_imports import visible
from psm_tui.core.programmes import without_programme
from psm_tui.core.timeline import render
from psm_tui.core.users import read_scope
from psm_tui.i18n import _
from psm_tui.store import search as backend_search
from psm_tui.store.database import db
from psm_tui.store.models import (
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
from psm_tui.store.rows import as_datetime
from psm_tui.store.statements import HOLE, STATEMENTS, Bind, inline, slot

__all__ = ["mask_nik"]  # re-exported: callers mask through this module

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
    reported_from: dt.date | None = None
    reported_to: dt.date | None = None  # inclusive
    client_id: int | None = None
    without_programme: str | None = None  # a programme code: clients not actively enrolled


_FILTER_FIELDS = tuple(field.name for field in fields(CaseFilter))


def overdue_followups_query(today: dt.date, kecamatan: str | None = None) -> ModelSelect[FollowUp]:
    """The cases with an overdue follow-up (only those of ``kecamatan``: its own index range,
    not the city's overdue follow-ups)."""
    query = FollowUp.select(FollowUp.case).where(
        FollowUp.status.in_(FOLLOWUP_OPEN), FollowUp.due_on < today
    )
    return query.where(emergency.followups_in_kecamatan(kecamatan)) if kecamatan else query


def _has_overdue_followup(today: Node) -> Expression:
    """``case`` has an overdue follow-up, for a page walking a case index: each case walked
    probes its own follow-ups by the (case, status) index (status and due date hidden from
    SQLite's planner, which would otherwise scan the city's open follow-ups for every case) and
    the walk stops after one page (at 1M cases, an operator's first page 170 -> ~25 ms)."""
    followup = FollowUp.alias()
    status = backend_search.unindexed(followup.status)
    due_on = backend_search.unindexed(followup.due_on)
    probe = followup.select(SQL("1")).where(
        followup.case == Case.id,
        Expression(status, OP.IN, list(FOLLOWUP_OPEN)),
        Expression(due_on, OP.LT, today),
    )
    return cast(Expression, fn.EXISTS(probe))  # a condition like any other in a WHERE


def _exact_kind(text: str) -> str | None:
    """ "nik" for a NIK (16 digits, spaces allowed), "number" for a case number, else None."""
    digits = text.replace(" ", "")
    if digits.isdigit() and len(digits) == 16:
        return "nik"
    if len(text) == 11 and text[4] == "-" and text.replace("-", "").isdigit():
        return "number"
    return None


def _exact_search(text: str, bind: Bind = inline) -> Expression | None:
    """A NIK or a case number, looked up exactly by its index."""
    kind = _exact_kind(text)
    if kind == "nik":  # a NIK, or a No. KK: the household's cases
        digits = text.replace(" ", "")
        people = Client.select(Client.id).where(
            (Client.nik == bind(digits)) | (Client.kk == bind(digits))
        )
        return Case.client.in_(people)
    if kind == "number":
        by_number: Expression = Case.number == bind(text)
        return by_number
    return None


def _search_condition(
    text: str, bind: Bind = inline, walk_order: bool = False, spread: int = 1
) -> Expression:
    """NIK and case number exactly, through their indexes; otherwise words (prefixes) of the
    client's name, the case number or the description, through the search index (``walk_order``:
    for a page in an index's order, see ``backend_search.case_search_condition``).

    Every branch is a condition on ``case`` alone, so a count needs no join."""
    text = text.strip()
    exact = _exact_search(text, bind)
    if exact is not None:
        return exact
    return backend_search.case_search_condition(Case.id, text, walk_order=walk_order, spread=spread)


def case_conditions(
    filters: CaseFilter, bind: Bind = inline, *, walk_order: bool = False, scope: str | None = None
) -> list[Expression]:
    """``filters`` as conditions on ``case`` alone (other tables only inside subqueries), so a
    count or a page of ids is answered from the case indexes without a join. Every case read
    goes through here. Each value goes through ``bind``, which :func:`list_cases` uses to
    make it a parameter of a statement compiled once per shape (:func:`_shape`): a
    condition's structure may depend only on which filters are set, never on their values.
    ``walk_order``: a page in an index's order. ``scope``: the kecamatan the caller limits the
    cases to, which the overdue follow-ups are then looked up in (except on a walk)."""
    conditions: list[Expression] = [visible(Case.id)]
    if filters.status:
        conditions.append(Case.status.in_([bind(status) for status in filters.status]))
    if filters.kecamatan:
        conditions.append(emergency.in_kecamatan(bind(filters.kecamatan)))
    if filters.kelurahan:
        conditions.append(Case.kelurahan == bind(filters.kelurahan))
    if filters.category:
        conditions.append(Case.category == bind(int(filters.category)))
    if filters.priority:
        conditions.append(Case.priority == bind(filters.priority))
    if filters.worker_id:
        conditions.append(Case.worker == bind(filters.worker_id))
    if filters.unassigned:
        conditions.append(Case.worker.is_null())
    if filters.overdue and walk_order:
        conditions.append(_has_overdue_followup(bind(clock.today())))
    elif filters.overdue:
        area = scope or filters.kecamatan
        overdue = overdue_followups_query(bind(clock.today()), bind(area) if area else None)
        conditions.append(Case.id.in_(overdue))
    if filters.created_by:
        conditions.append(Case.created_by == bind(filters.created_by))
    if filters.reported_from:
        start = dt.datetime.combine(filters.reported_from, dt.time())
        conditions.append(Case.reported_at >= bind(start))
    if filters.reported_to:
        end = dt.datetime.combine(filters.reported_to + dt.timedelta(days=1), dt.time())
        conditions.append(Case.reported_at < bind(end))
    if filters.search:
        spread = _spread(filters, scope)
        conditions.append(_search_condition(filters.search, bind, walk_order, spread))
    if filters.client_id:
        conditions.append(Case.client == bind(filters.client_id))
    if filters.without_programme:
        conditions.append(without_programme(bind(filters.without_programme)))
    return conditions


def scoped_conditions(
    actor: Actor | None, filters: CaseFilter, *, walk_order: bool = False, bind: Bind = inline
) -> list[Expression]:
    """``filters`` within what ``actor`` may read: a kecamatan-scoped viewer or operator gets
    only that kecamatan (another kecamatan asked for gives nothing). ``walk_order``: a page in
    an index's order, which the scope then leaves alone (``backend_search.unindexed``)."""
    scope = read_scope(actor)
    conditions = case_conditions(filters, bind, walk_order=walk_order, scope=scope)
    # Counted overdue cases are looked up among the scope's follow-ups already (their copy of
    # the case's kelurahan): testing each case's own again cost PostgreSQL ~40k lookups.
    scoped_overdue = filters.overdue and not walk_order
    if scope and scope != filters.kecamatan and not scoped_overdue:
        # Where another condition picks few cases, the scope is tested on them rather than
        # driving the plan from the kecamatan's ~96k cases (a NIK count at 1M: 150 -> 0.6 ms).
        unindexed = walk_order or _selective(filters)
        conditions.append(emergency.in_kecamatan(bind(scope), walk_order=unindexed))
    if finds_by_who_or_what(filters):
        full = sensitive.full_condition(actor, bind)
        if full is not None:
            conditions.append(full)
    return conditions


# Of the city's cases, a kecamatan holds about one in 13 and a kelurahan one in 104.
KECAMATAN_SPREAD = 13
KELURAHAN_SPREAD = 104


def _spread(filters: CaseFilter, scope: str | None) -> int:
    """About one case in how many the page's area (a kelurahan, a kecamatan asked for or the
    reader's scope) keeps: a word search's page walks that many times further."""
    if filters.kelurahan:
        return KELURAHAN_SPREAD
    return KECAMATAN_SPREAD if filters.kecamatan or scope else 1


def _selective(filters: CaseFilter) -> bool:
    """Whether ``filters`` pick few cases through an index of their own: a NIK or case number,
    or a client."""
    exact = _exact_kind((filters.search or "").strip()) is not None
    return bool(exact or filters.client_id)


def finds_by_who_or_what(filters: CaseFilter) -> bool:
    """Whether ``filters`` pick cases by their client or their words, which a restricted case
    must not answer to (a case number names no one)."""
    text = (filters.search or "").strip()
    by_number = _exact_kind(text) == "number"
    return bool(filters.client_id or filters.without_programme or (text and not by_number))


def _joined(query: ModelSelect[Case]) -> ModelSelect[Case]:
    return (
        query.join(Client)
        .switch(Case)
        .join(Kelurahan)
        .join(Kecamatan)
        .switch(Case)
        .join(Category)
        .switch(Case)
        .join(Worker, JOIN.LEFT_OUTER)
    )


def filtered(filters: CaseFilter) -> ModelSelect[Case]:
    """The cases matching ``filters``, joined with what a list row shows."""
    query = _joined(Case.select(Case, Client, Kelurahan, Kecamatan, Category, Worker))
    conditions = case_conditions(filters)
    return query.where(*conditions) if conditions else query


PRIORITY_ORDER = SqlCase(
    Case.priority, (("darurat", 0), ("tinggi", 1), ("normal", 2), ("rendah", 3)), 4
)
# Each ordering is total (ends in a unique column), so pages never overlap or skip a row.
ORDERINGS = {
    "newest": (Case.reported_at.desc(), Case.id.desc()),
    "oldest": (Case.reported_at.asc(), Case.id.asc()),
    "priority": (PRIORITY_ORDER, Case.reported_at.desc(), Case.id.desc()),
    "number": (Case.number.asc(),),
}
# What a list row shows. Rows are read as the driver returns them and converted here: building
# model instances (or peewee's per-column conversion) cost more than the query itself.
SUMMARY_COLUMNS = (
    Case.id,
    Case.number,
    Case.status,
    Case.priority,
    Category.code,
    Category.name,
    Kelurahan.code,
    Kelurahan.name,
    Kecamatan.code,
    Kecamatan.name,
    Client.name,
    Client.nik,
    Case.worker,
    Worker.name,
    Worker.kind,
    Worker.kelurahan,
    Case.reported_at,
    Case.updated_at,
    Case.version,
    Case.sensitive,
)


def _open_followups(due_before: Node | None = None) -> ModelSelect[FollowUp]:
    """How many open follow-ups (due before a day) the outer row's case has: one probe of the
    (case_id, status) index per row. The due date is counted, not filtered on, so the planner
    never prefers the (status, due_on) index, which would scan every open follow-up."""
    followup = FollowUp.alias()
    counted = (
        fn.SUM(SqlCase(None, ((followup.due_on < due_before, 1),), 0))
        if due_before is not None
        else fn.COUNT(SQL("*"))
    )
    return followup.select(fn.COALESCE(counted, 0)).where(
        followup.case == Case.id, followup.status.in_(FOLLOWUP_OPEN)
    )


def _summary_query(order: str | None, ids: Node) -> ModelSelect[Case]:
    """The list rows of the cases ``ids`` selects, in ``order``; slot 0: today."""
    ordering = ORDERINGS[order] if order else ()
    overdue = _open_followups(due_before=slot(0))
    return (
        _joined(Case.select(*SUMMARY_COLUMNS, _open_followups(), overdue))
        .where(Case.id.in_(ids))
        .order_by(*ordering)
    )


def _summary_list(
    rows: list[tuple[Any, ...]], actor: Actor | None, hidden: set[int]
) -> list[CaseSummary]:
    """The rows as :class:`CaseSummary`. A page of 200 rows names a few dozen categories,
    places and workers: each is built once, and the NIK rule is asked once per page (this
    loop cost more than the query before)."""
    categories: dict[object, Ref] = {}
    places: dict[str, KelurahanRef] = {}
    workers: dict[int, WorkerRef] = {}
    mask = nik_masker(actor)
    summaries = []
    for (
        case_id,
        number,
        status,
        priority,
        cat_code,
        cat_name,
        kel_code,
        kel_name,
        kec_code,
        kec_name,
        client_name,
        client_nik,
        worker_id,
        worker_name,
        worker_kind,
        worker_kel,
        reported_at,
        updated_at,
        version,
        _sensitive,
        open_count,
        overdue_count,
    ) in rows:
        category = categories.get(cat_code)
        if category is None:
            category = categories[cat_code] = Ref(str(cat_code), cat_name)
        place = places.get(kel_code)
        if place is None:
            place = places[kel_code] = KelurahanRef(kel_code, kel_name, kec_code, kec_name)
        worker = None
        if worker_id:
            worker = workers.get(worker_id)
            if worker is None:
                worker = WorkerRef(worker_id, worker_name, worker_kind, worker_kel)
                workers[worker_id] = worker
        summary = CaseSummary(
            case_id,
            number,
            status,
            priority,
            category,
            place,
            client_name,
            mask(client_nik),
            worker,
            as_datetime(reported_at),
            as_datetime(updated_at),
            int(open_count),
            int(overdue_count),
            version,
        )
        summaries.append(_restricted(summary) if case_id in hidden else summary)
    return summaries


def _restricted(summary: CaseSummary) -> CaseSummary:
    """A row that says a case exists, where and how far along, but not who or what."""
    return replace(
        summary,
        category=Ref("", "-"),
        client_name=sensitive.restricted_label(),
        client_nik=None,
        restricted=True,
    )


def _summaries(
    actor: Actor | None, rows: list[tuple[Any, ...]], *, opened: bool = False
) -> list[CaseSummary]:
    """``rows`` of :func:`_summary_query` as a list shows them; a sensitive case ``actor`` may
    not read is restricted, unless ``opened`` (the case was opened, with akses darurat if it
    took one)."""
    hidden: set[int] = (
        set()
        if opened
        else sensitive.hidden_ids(actor, ((row[0], bool(row[19]), row[8]) for row in rows))
    )
    return _summary_list(rows, actor, hidden)


def _summary_rows(ids: ModelSelect[Case], order: str | None = None) -> list[tuple[Any, ...]]:
    """The list rows of the cases ``ids`` selects: the row query compiled once per ordering,
    ``ids`` compiled on each call."""
    build = lambda: _summary_query(order, HOLE)  # noqa: E731
    return STATEMENTS.rows(("case summaries", order), build, (clock.today(),), ids)


def _shape(actor: Actor | None, filters: CaseFilter) -> Hashable | None:
    """What the SQL of ``filters`` read by ``actor`` depends on besides its values: which
    filters are set (how many statuses; which kind of exact search) and whether ``actor``'s
    scope adds a condition. None where the values shape it too: words (the index's hits choose
    the plan)."""
    text = (filters.search or "").strip()
    kind = _exact_kind(text) if text else None
    if text and kind is None:
        return None
    restricted = sensitive.full_condition_shape(actor) if finds_by_who_or_what(filters) else None
    scope = read_scope(actor)
    forms = tuple(
        len(value) if isinstance(value, tuple) else bool(value)
        for value in (getattr(filters, name) for name in _FILTER_FIELDS)
    )
    return (kind, bool(scope and scope != filters.kecamatan), restricted, forms)


def _binder(values: list[object], shape: Hashable | None) -> Bind:
    """Values inline (no ``shape``: compiled on each call) or as the next slots of ``values``."""
    if shape is None:
        return inline

    def bind(value: Any) -> Any:
        values.append(value)
        return slot(len(values) - 1)

    return bind


def list_cases(
    actor: Actor | None,
    filters: CaseFilter = CaseFilter(),
    *,
    limit: int | None = 50,
    offset: int = 0,
    order: str = "newest",
) -> list[CaseSummary]:
    """One page of cases. The page's ids are chosen on ``case`` alone (an index walk, however
    deep the offset), and only those rows are joined with what the list shows. The statement
    is compiled once per :func:`_shape` and run with each call's values."""
    ordering = ORDERINGS[order]
    if offset == 0:
        record_nik_search(actor, filters.search)
    shape = _shape(actor, filters)
    values: list[object] = [clock.today()]  # slot 0 of the row query
    bind = _binder(values, shape)
    conditions = scoped_conditions(actor, filters, walk_order=order != "priority", bind=bind)
    bounds = (bind(limit) if limit is not None else None, bind(offset))

    def page() -> ModelSelect[Case]:
        ids = Case.select(Case.id)
        ids = ids.where(*conditions) if conditions else ids
        return ids.order_by(*ordering).limit(bounds[0]).offset(bounds[1])

    if shape is None:
        return _summaries(actor, _summary_rows(page(), order))
    key = ("case page", order, limit is None, shape)
    rows = STATEMENTS.rows(key, lambda: _summary_query(order, page()), values)
    return _summaries(actor, rows)


def count_cases(filters: CaseFilter = CaseFilter(), actor: Actor | None = None) -> int:
    """How many cases match, within ``actor``'s read scope (None: every case, for internal
    callers); a whole-NIK search is audited like a listing."""
    record_nik_search(actor, filters.search)
    text = (filters.search or "").strip()
    if (
        text
        and read_scope(actor) is None
        and sensitive.sees_every_case(actor)
        and replace(filters, search=None) == CaseFilter()
        and _exact_kind(text) is None
    ):
        # One index row per case: count a word search there, not by looking up every hit.
        return backend_search.case_search_count(db.obj, text)
    shape = _shape(actor, filters)
    values: list[object] = []
    conditions = scoped_conditions(actor, filters, bind=_binder(values, shape))

    def query() -> ModelSelect[Case]:
        counted = Case.select(fn.COUNT(SQL("*")))
        return counted.where(*conditions) if conditions else counted

    if shape is None:
        return int(query().scalar())
    return int(STATEMENTS.rows(("case count", shape), query, values)[0][0])


def case_row(number: str) -> Case:
    case = Case.get_or_none(Case.number == number.strip(), visible(Case.id))
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
    """The whole record of one case: client, timeline, follow-ups, assignment history.

    Outside ``actor``'s scope, or restricted (:mod:`psm_tui.core.sensitive`), it is refused
    (:class:`OutOfScope`) unless they hold an emergency access to it
    (:mod:`psm_tui.core.emergency`)."""
    case = case_row(number)
    emergency.check_read(actor, case)
    ids = Case.select(Case.id).where(Case.id == case.id)
    summary = _summaries(actor, _summary_rows(ids), opened=True)[0]
    today = clock.today()
    client = Client.get_by_id(case.client_id)
    followups = [
        followup_info(f, case.number, today)
        for f in FollowUp.select(FollowUp, Opd)
        .join(Opd)
        .where(FollowUp.case == case.id)
        .order_by(FollowUp.id)
    ]
    activities = [
        ActivityInfo(a.kind, render(a.data), _username(a.author), a.at)
        for a in Activity.select(Activity, StaffUser)
        .join(StaffUser, JOIN.LEFT_OUTER)
        .where(Activity.case == case.id)
        .order_by(Activity.at, Activity.id)
    ]
    assignments = [
        AssignmentInfo(
            a.worker.id,
            a.worker.name,
            _username(a.assigned_by),
            a.assigned_at,
            render(a.reason),
            a.ended_at,
        )
        for a in Assignment.select(Assignment, Worker, StaffUser)
        .join(Worker)
        .switch(Assignment)
        .join(StaffUser, JOIN.LEFT_OUTER)
        .where(Assignment.case == case.id)
        .order_by(Assignment.assigned_at, Assignment.id)
    ]
    return CaseDetail(
        summary=summary,
        client=client_info(client, actor),
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
