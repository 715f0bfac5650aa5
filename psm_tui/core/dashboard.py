"""Figures for the Ringkasan (dashboard) view: what needs attention now, and where."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import JOIN, SQL, Expression, Node, fn
from peewee import Case as SqlCase

from psm_tui.core import clock, emergency
from psm_tui.core.case_queries import DUE_SOON_DAYS, CaseFilter, count_cases, list_cases
from psm_tui.core.dto import Actor, CaseSummary
from psm_tui.core.emergency import EmergencyGrant
from psm_tui.core.labels import FOLLOWUP_OPEN, OPEN_STATUSES
from psm_tui.core.pending_imports import visible
from psm_tui.core.users import can, read_scope
from psm_tui.store.models import Case, FollowUp, Kecamatan, Kelurahan, Opd
from psm_tui.store.rows import tuples


@dataclass(frozen=True)
class AreaCount:
    """Open and unassigned cases of one kecamatan."""

    code: str
    name: str
    open: int
    unassigned: int


@dataclass(frozen=True)
class OpdCount:
    """Open and overdue follow-ups waiting on one OPD."""

    code: str
    abbrev: str
    open: int
    overdue: int


@dataclass(frozen=True)
class Dashboard:
    untriaged: int
    unassigned: int
    overdue_followups: int
    due_soon_followups: int
    open_cases: int
    by_kecamatan: list[AreaCount]
    my_queue: list[CaseSummary]
    my_queue_total: int
    scope: str | None = None  # the kecamatan the figures are limited to (None: the city)
    emergency: list[EmergencyGrant] = field(default_factory=list)  # supervisors only


def mine_filter(actor: Actor) -> CaseFilter:
    """The actor's queue: the open cases they registered."""
    return CaseFilter(status=OPEN_STATUSES, created_by=actor.id)


def unassigned_filter() -> CaseFilter:
    return CaseFilter(status=OPEN_STATUSES, unassigned=True)


def _open_followups_due(actor: Actor | None, today: dt.date, upto: dt.date) -> tuple[int, int]:
    """Open follow-ups overdue and due by ``upto``, of the cases ``actor`` may read. Citywide:
    two counts on the (status, due date) index; within a kecamatan, one pass over its open
    follow-ups on the (kelurahan, status, due date) index."""
    open_ = FollowUp.status.in_(FOLLOWUP_OPEN)
    scope = emergency.followup_scope(actor)
    if not scope:
        overdue = FollowUp.select().where(open_, FollowUp.due_on < today).count()
        soon = FollowUp.select().where(open_, FollowUp.due_on.between(today, upto)).count()
        return overdue, soon
    late = fn.SUM(SqlCase(None, ((FollowUp.due_on < today, 1),), 0))
    due = fn.SUM(SqlCase(None, ((FollowUp.due_on.between(today, upto), 1),), 0))
    overdue, soon = next(tuples(FollowUp.select(late, due).where(open_, *scope)))
    return int(overdue or 0), int(soon or 0)


def by_kecamatan(actor: Actor | None = None) -> list[AreaCount]:
    """Open and unassigned cases per kecamatan (only the actor's kecamatan if scoped).

    The open cases are counted per (status, kelurahan) first, the order of the index both engines
    read them from, and only those ~300 rows joined: joining every open case to its kelurahan
    before grouping cost PostgreSQL two hash joins of the 130,000 open cases of 1M (53 -> 26 ms;
    SQLite 29 -> 22 ms; bench/notes/pgbench.md, "pgviews")."""
    free = fn.SUM(SqlCase(None, ((Case.worker.is_null(), 1),), 0))
    open_cases = (
        Case.select(Case.kelurahan.alias("code"), fn.COUNT(SQL("*")).alias("n"), free.alias("free"))
        .where(Case.status.in_(OPEN_STATUSES), visible(Case.id))
        .group_by(Case.status, Case.kelurahan)
        .alias("open_cases")
    )
    rows = (
        Kecamatan.select(
            Kecamatan.code,
            Kecamatan.name,
            fn.COALESCE(fn.SUM(open_cases.c.n), 0),
            fn.COALESCE(fn.SUM(open_cases.c.free), 0),
        )
        .join(Kelurahan, JOIN.LEFT_OUTER, on=(Kelurahan.kecamatan == Kecamatan.code))
        .join(open_cases, JOIN.LEFT_OUTER, on=(open_cases.c.code == Kelurahan.code))
        .group_by(Kecamatan.code, Kecamatan.name)
        .order_by(Kecamatan.code)
    )
    scope = read_scope(actor)
    if scope:
        rows = rows.where(Kecamatan.code == scope)
    return [AreaCount(code, name, int(n), int(free or 0)) for code, name, n, free in tuples(rows)]


def figures(actor: Actor, queue_limit: int = 10) -> Dashboard:
    """Everything the dashboard shows, in one call (a handful of indexed counts), within the
    actor's read scope; supervisors also see the week's emergency accesses."""
    today = clock.today()
    mine = mine_filter(actor)
    overdue, soon = _open_followups_due(actor, today, today + dt.timedelta(DUE_SOON_DAYS))
    return Dashboard(
        untriaged=count_cases(CaseFilter(status=("baru",)), actor),
        unassigned=count_cases(unassigned_filter(), actor),
        overdue_followups=overdue,
        due_soon_followups=soon,
        open_cases=count_cases(CaseFilter(status=OPEN_STATUSES), actor),
        by_kecamatan=by_kecamatan(actor),
        my_queue=list_cases(actor, mine, limit=queue_limit, order="priority"),
        my_queue_total=count_cases(mine, actor),
        scope=read_scope(actor),
        emergency=emergency.recent() if can(actor, "emergency.list") else [],
    )


def followups_by_opd(actor: Actor | None = None) -> list[OpdCount]:
    """Every partner with its open and overdue follow-ups (partners with none included), of
    the cases ``actor`` may read."""
    today = clock.today()
    overdue = fn.SUM(SqlCase(None, ((FollowUp.due_on < today, 1),), 0))
    open_ = FollowUp.status.in_(FOLLOWUP_OPEN)
    scope = emergency.followup_scope(actor)
    if scope:
        return _by_opd_within(scope, open_, overdue)
    joined = (FollowUp.opd == Opd.code) & open_
    rows = (
        Opd.select(Opd.code, Opd.abbrev, fn.COUNT(FollowUp.id), overdue)
        .join(
            FollowUp,
            JOIN.LEFT_OUTER,
            on=joined,
        )
        .group_by(Opd.code, Opd.abbrev)
        .order_by(Opd.code)
    )
    return [
        OpdCount(code, abbrev, int(n), int(late or 0)) for code, abbrev, n, late in tuples(rows)
    ]


def _by_opd_within(scope: list[Expression], open_: Expression, overdue: Node) -> list[OpdCount]:
    """:func:`followups_by_opd` within a kecamatan: its open follow-ups counted from the
    (kelurahan, status, due date) index, grouped by OPD; joined from the OPDs instead, each
    OPD's open follow-ups of the city would be read to keep the kecamatan's (at 1M: 120 ms)."""
    counted = (
        FollowUp.select(FollowUp.opd, fn.COUNT(FollowUp.id), overdue)
        .where(open_, *scope)
        .group_by(FollowUp.opd)
    )
    counts = {code: (int(n), int(late or 0)) for code, n, late in tuples(counted)}
    partners = Opd.select(Opd.code, Opd.abbrev).order_by(Opd.code)
    return [OpdCount(code, abbrev, *counts.get(code, (0, 0))) for code, abbrev in tuples(partners)]
