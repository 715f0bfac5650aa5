"""Figures for the Ringkasan (dashboard) view: what needs attention now, and where."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, fn
from peewee import Case as SqlCase

from psm_tui.models import Case, FollowUp, Kecamatan, Kelurahan, Opd
from psm_tui.services import clock
from psm_tui.services.case_queries import DUE_SOON_DAYS, CaseFilter, count_cases, list_cases
from psm_tui.services.dto import Actor, CaseSummary
from psm_tui.services.labels import FOLLOWUP_OPEN, OPEN_STATUSES


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


def mine_filter(actor: Actor) -> CaseFilter:
    """The actor's queue: the open cases they registered."""
    return CaseFilter(status=OPEN_STATUSES, created_by=actor.id)


def unassigned_filter() -> CaseFilter:
    return CaseFilter(status=OPEN_STATUSES, unassigned=True)


def _open_followups_due(before: dt.date | None = None, upto: dt.date | None = None) -> int:
    query = FollowUp.select().where(FollowUp.status.in_(FOLLOWUP_OPEN))
    if before is not None:
        query = query.where(FollowUp.due_on < before)
    if upto is not None:
        query = query.where(FollowUp.due_on.between(clock.today(), upto))
    return query.count()


def by_kecamatan() -> list[AreaCount]:
    # Kelurahan without open cases join as NULL rows: only real cases count as unassigned.
    unassigned = fn.SUM(SqlCase(None, ((Case.id.is_null(False) & Case.worker.is_null(), 1),), 0))
    rows = (
        Kecamatan.select(Kecamatan.code, Kecamatan.name, fn.COUNT(Case.id), unassigned)
        .join(Kelurahan, JOIN.LEFT_OUTER, on=(Kelurahan.kecamatan == Kecamatan.code))
        .join(
            Case,
            JOIN.LEFT_OUTER,
            on=((Case.kelurahan == Kelurahan.code) & Case.status.in_(OPEN_STATUSES)),
        )
        .group_by(Kecamatan.code, Kecamatan.name)
        .order_by(Kecamatan.code)
        .tuples()
    )
    return [AreaCount(code, name, int(n), int(free or 0)) for code, name, n, free in rows]


def figures(actor: Actor, queue_limit: int = 10) -> Dashboard:
    """Everything the dashboard shows, in one call (a handful of indexed counts)."""
    today = clock.today()
    mine = mine_filter(actor)
    return Dashboard(
        untriaged=count_cases(CaseFilter(status=("baru",))),
        unassigned=count_cases(unassigned_filter()),
        overdue_followups=_open_followups_due(before=today),
        due_soon_followups=_open_followups_due(upto=today + dt.timedelta(DUE_SOON_DAYS)),
        open_cases=count_cases(CaseFilter(status=OPEN_STATUSES)),
        by_kecamatan=by_kecamatan(),
        my_queue=list_cases(actor, mine, limit=queue_limit, order="priority"),
        my_queue_total=count_cases(mine),
    )


def followups_by_opd() -> list[OpdCount]:
    """Every partner with its open and overdue follow-ups (partners with none included)."""
    today = clock.today()
    overdue = fn.SUM(SqlCase(None, ((FollowUp.due_on < today, 1),), 0))
    rows = (
        Opd.select(Opd.code, Opd.abbrev, fn.COUNT(FollowUp.id), overdue)
        .join(
            FollowUp,
            JOIN.LEFT_OUTER,
            on=((FollowUp.opd == Opd.code) & FollowUp.status.in_(FOLLOWUP_OPEN)),
        )
        .group_by(Opd.code, Opd.abbrev)
        .order_by(Opd.code)
        .tuples()
    )
    return [OpdCount(code, abbrev, int(n), int(late or 0)) for code, abbrev, n, late in rows]
