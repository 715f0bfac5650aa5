"""Every figure of the summaries, the Laporan view and the report files, computed in one place.

The CLI (``psm summary``), the TUI and the exports all call these functions, so a number means the
same thing wherever it is shown. Queries are portable Peewee and aggregate in SQL (GROUP BY over
the indexed columns), so they stay fast on a million cases; Python only folds a few hundred rows.

What the period means: case figures count the cases *reported* in the period (with their current
status); follow-up figures count the follow-ups *sent* in it; the workload is always today's
snapshot, since an open caseload has no history.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace
from typing import TypeVar

from peewee import SQL, Expression, Model, ModelSelect, fn
from peewee import Case as SqlCase

from psm_tui.core import clock
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ValidationError
from psm_tui.core.labels import FOLLOWUP_OPEN, OPEN_STATUSES, STATUSES
from psm_tui.core.pending_imports import visible
from psm_tui.core.reference import all_kecamatan, all_kelurahan, find_kecamatan
from psm_tui.core.users import read_scope, require
from psm_tui.core.validation import parse_date
from psm_tui.core.workload import Workload, active_psm_by_kelurahan, workload
from psm_tui.i18n import _
from psm_tui.store.models import Case, Category, FollowUp, Opd
from psm_tui.store.reports import days_between
from psm_tui.store.rows import tuples

_M = TypeVar("_M", bound=Model)

FINISHED_STATUSES = ("selesai", "ditutup")
TOP_CATEGORIES = 10


@dataclass(frozen=True)
class ReportScope:
    """Which cases a report covers: reported between two dates (inclusive), in one kecamatan."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kecamatan: str | None = None  # Kemendagri code

    def bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """``[start, end)`` as datetimes, so a whole last day is included."""
        start = dt.datetime.combine(self.date_from, dt.time()) if self.date_from else None
        end = (
            dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time())
            if self.date_to
            else None
        )
        return start, end


def make_scope(
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    kecamatan: str | None = None,
) -> ReportScope:
    """A scope from what a user typed: ISO dates and a kecamatan name or code."""
    start = parse_date(date_from, "from")
    end = parse_date(date_to, "to")
    if start and end and start > end:
        raise ValidationError(_("The period starts after it ends"), "from")
    return ReportScope(start, end, find_kecamatan(kecamatan).code if kecamatan else None)


def scoped(actor: Actor, scope: ReportScope) -> ReportScope:
    """``scope`` within what ``actor`` may read: a kecamatan-scoped viewer or operator gets
    only their kecamatan's figures (asking for another one is refused, audited)."""
    require(actor, "read", scope.kecamatan)
    own = read_scope(actor)
    return replace(scope, kecamatan=own) if own else scope


def parse_month(text: str | None) -> dt.date:
    """``YYYY-MM`` to the first day of that month; nothing means the last complete month."""
    if not text:
        first = clock.today().replace(day=1)
        return (first - dt.timedelta(days=1)).replace(day=1)
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise ValidationError(
            _("Month {value} is not in the form YYYY-MM").format(value=text), "month"
        ) from None


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_scope(month: dt.date, kecamatan: str | None = None) -> ReportScope:
    return ReportScope(month, month_end(month), kecamatan)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    date_from: dt.date | None
    date_to: dt.date | None


def period_presets(today: dt.date | None = None) -> list[Period]:
    """The periods offered in the Laporan view; the first (all time) is the CLI's default."""
    today = today or clock.today()
    month = today.replace(day=1)
    year = today.replace(month=1, day=1)
    return [
        Period("all", _("All time"), None, None),
        Period("12m", _("Last 12 months"), add_months(month, -11), today),
        Period("month", _("This month"), month, today),
        Period("last_month", _("Last month"), add_months(month, -1), month - dt.timedelta(1)),
        Period("year", _("This year"), year, today),
        Period(
            "last_year", _("Last year"), year.replace(year=year.year - 1), year - dt.timedelta(1)
        ),
    ]


@dataclass(frozen=True)
class StatusBreakdown:
    """Cases of one area by status, plus how many were finished in the period."""

    code: str
    name: str
    counts: dict[str, int]
    finished_in_period: int
    kecamatan_code: str = ""
    kecamatan_name: str = ""
    active_psm: int = 0

    @property
    def open(self) -> int:
        return sum(self.counts[s] for s in OPEN_STATUSES)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class CategoryCount:
    code: int
    name: str
    open: int
    total: int


@dataclass(frozen=True)
class OpdFigures:
    code: str
    name: str
    total: int
    open: int
    overdue: int
    rejected: int
    responded: int
    median_days: float | None


@dataclass(frozen=True)
class MonthCount:
    month: dt.date  # the first day
    count: int

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass(frozen=True)
class Overview:
    scope: ReportScope
    today: dt.date
    by_status: dict[str, int]
    kecamatan: list[StatusBreakdown]
    categories: list[CategoryCount]
    opd: list[OpdFigures]
    workload: Workload
    months: list[MonthCount]
    kelurahan: list[StatusBreakdown]
    finished_in_period: int = 0

    @property
    def open(self) -> int:
        return sum(self.by_status[s] for s in OPEN_STATUSES)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def _kelurahan_codes(kecamatan: str | None) -> list[str] | None:
    if not kecamatan:
        return None
    return [k.code for k in all_kelurahan() if k.kecamatan_code == kecamatan]


def _case_conditions(scope: ReportScope) -> list[Expression]:
    start, end = scope.bounds()
    conditions = [visible(Case.id)]
    if start:
        conditions.append(Case.reported_at >= start)
    if end:
        conditions.append(Case.reported_at < end)
    codes = _kelurahan_codes(scope.kecamatan)
    if codes is not None:
        conditions.append(Case.kelurahan.in_(codes))
    return conditions


def _where(query: ModelSelect[_M], conditions: list[Expression]) -> ModelSelect[_M]:
    for condition in conditions:
        query = query.where(condition)
    return query


def by_kelurahan(scope: ReportScope) -> list[StatusBreakdown]:
    """Every kelurahan of the scope (none left out for having no case), in code order."""
    counts: dict[str, dict[str, int]] = {}
    query = Case.select(Case.kelurahan, Case.status, fn.COUNT(SQL("*"))).group_by(
        Case.kelurahan, Case.status
    )
    for code, status, n in tuples(_where(query, _case_conditions(scope))):
        counts.setdefault(code, dict.fromkeys(STATUSES, 0))[status] = int(n)
    finished = _finished_by_kelurahan(scope, counts)
    psm = active_psm_by_kelurahan(scope.kecamatan)
    return [
        StatusBreakdown(
            kel.code,
            kel.name,
            counts.get(kel.code, dict.fromkeys(STATUSES, 0)),
            finished[kel.code],
            kel.kecamatan_code,
            kel.kecamatan_name,
            psm[kel.code],
        )
        for kel in all_kelurahan()
        if not scope.kecamatan or kel.kecamatan_code == scope.kecamatan
    ]


def _finished_by_kelurahan(scope: ReportScope, counts: dict[str, dict[str, int]]) -> Counter[str]:
    """Cases resolved or closed (``closed_at``) in the period, whenever they were reported.

    With no period that is every resolved or closed case (both statuses always carry
    ``closed_at``), already in ``counts``: no scan of a million rows for it.
    """
    start, end = scope.bounds()
    if not start and not end:
        return Counter({code: sum(c[s] for s in FINISHED_STATUSES) for code, c in counts.items()})
    query = (
        Case.select(Case.kelurahan, fn.COUNT(SQL("*")))
        .where(Case.status.in_(FINISHED_STATUSES), Case.closed_at.is_null(False), visible(Case.id))
        .group_by(Case.kelurahan)
    )
    if start:
        query = query.where(Case.closed_at >= start)
    if end:
        query = query.where(Case.closed_at < end)
    codes = _kelurahan_codes(scope.kecamatan)
    if codes is not None:
        query = query.where(Case.kelurahan.in_(codes))
    return Counter({code: int(n) for code, n in tuples(query)})


def by_kecamatan(
    scope: ReportScope, kelurahan: list[StatusBreakdown] | None = None
) -> list[StatusBreakdown]:
    """The kelurahan rows folded per kecamatan (pass them if already computed)."""
    rows = kelurahan if kelurahan is not None else by_kelurahan(scope)
    result = []
    for kec in all_kecamatan():
        if scope.kecamatan and kec.code != scope.kecamatan:
            continue
        mine = [r for r in rows if r.kecamatan_code == kec.code]
        counts = {s: sum(r.counts[s] for r in mine) for s in STATUSES}
        result.append(
            StatusBreakdown(
                kec.code,
                kec.name,
                counts,
                sum(r.finished_in_period for r in mine),
                kec.code,
                kec.name,
                sum(r.active_psm for r in mine),
            )
        )
    return result


def status_totals(rows: list[StatusBreakdown]) -> dict[str, int]:
    return {s: sum(r.counts[s] for r in rows) for s in STATUSES}


def by_category(scope: ReportScope, limit: int | None = None) -> list[CategoryCount]:
    """PPKS categories by number of cases, most frequent first (all 26 unless ``limit``).

    Two grouped counts (all cases; open ones) instead of one with a CASE: each can use an index,
    which a million-case table needs.
    """
    conditions = _case_conditions(scope)
    query = Case.select(Case.category, fn.COUNT(SQL("*"))).group_by(Case.category)
    totals = dict(tuples(_where(query, conditions)))
    open_query = query.where(Case.status.in_(OPEN_STATUSES))
    open_counts = dict(tuples(_where(open_query, conditions)))
    rows = [
        CategoryCount(c.code, c.name, open_counts.get(c.code, 0), totals.get(c.code, 0))
        for c in Category.select().order_by(Category.code)
    ]
    rows.sort(key=lambda r: (-r.total, r.code))
    return rows[:limit] if limit else rows


def _followup_conditions(scope: ReportScope) -> list[Expression]:
    start, end = scope.bounds()
    conditions = []
    if start:
        conditions.append(FollowUp.created_at >= start)
    if end:
        conditions.append(FollowUp.created_at < end)
    codes = _kelurahan_codes(scope.kecamatan)
    if codes is not None:
        conditions.append(FollowUp.case.in_(Case.select(Case.id).where(Case.kelurahan.in_(codes))))
    return conditions


def _median(histogram: Counter[int]) -> float | None:
    """The median of values given as ``{value: how many times}``."""
    size = sum(histogram.values())
    if not size:
        return None
    middle, seen, found = ((size - 1) // 2, size // 2), 0, []
    for value in sorted(histogram):
        low, seen = seen, seen + histogram[value]
        found += [value for position in middle if low <= position < seen]
    return (found[0] + found[1]) / 2


def opd_query(today: dt.date) -> ModelSelect[FollowUp]:
    """Follow-ups by OPD, status and calendar days to the answer: how many, how many overdue.

    Grouped by the columns and the expression :data:`psm_tui.store.reports.ANSWER_DAYS_INDEX`
    holds in that order, so SQLite reads the groups off that index instead of sorting every
    follow-up.
    """
    late = fn.SUM(SqlCase(None, ((FollowUp.due_on < today, 1),), 0))
    days = days_between(FollowUp.created_at, FollowUp.responded_at)
    return FollowUp.select(FollowUp.opd, FollowUp.status, days, fn.COUNT(SQL("*")), late).group_by(
        FollowUp.opd, FollowUp.status, days
    )


def opd_summary(
    scope: ReportScope, today: dt.date | None = None
) -> tuple[list[OpdFigures], OpdFigures]:
    """Per OPD, and for all OPD together: follow-ups sent, still open, overdue today, rejected,
    answered, and the median of calendar days to the answer.

    One grouped scan of the follow-ups (:func:`opd_query`); answer times come back as a histogram
    (days computed by the database, see :mod:`psm_tui.store.reports`), so no row is read into
    Python.
    """
    today = today or clock.today()
    query = opd_query(today)
    counts: dict[str, Counter[str]] = {}
    waits: dict[str, Counter[int]] = {}
    for code, status, waited, n, overdue in tuples(_where(query, _followup_conditions(scope))):
        for key in (code, ""):  # "" collects every OPD
            bucket = counts.setdefault(key, Counter())
            bucket[status] += n
            bucket["total"] += n
            if status in FOLLOWUP_OPEN:
                bucket["open"] += n
                bucket["overdue"] += int(overdue or 0)
            if waited is not None:
                waits.setdefault(key, Counter())[round(waited)] += n

    def figures(code: str, name: str) -> OpdFigures:
        c, w = counts.get(code, Counter()), waits.get(code, Counter())
        return OpdFigures(
            code,
            name,
            c["total"],
            c["open"],
            c["overdue"],
            c["ditolak"],
            sum(w.values()),
            _median(w),
        )

    rows = [figures(opd.code, opd.abbrev) for opd in Opd.select().order_by(Opd.code)]
    return rows, figures("", _("All OPD"))


def by_opd(scope: ReportScope, today: dt.date | None = None) -> list[OpdFigures]:
    return opd_summary(scope, today)[0]


def month_range(
    scope: ReportScope, today: dt.date | None = None, default_months: int = 12
) -> list[dt.date]:
    """The months a trend covers: the scope's, or the last ``default_months`` up to today's."""
    last = (scope.date_to or today or clock.today()).replace(day=1)
    first = (
        scope.date_from.replace(day=1) if scope.date_from else add_months(last, 1 - default_months)
    )
    months = []
    while first <= last:
        months.append(first)
        first = add_months(first, 1)
    return months


def monthly_intake(scope: ReportScope, today: dt.date | None = None) -> list[MonthCount]:
    """Cases reported per month (``YYYY-MM`` from a portable text cast, grouped in SQL)."""
    months = month_range(scope, today)
    if not months:
        return []
    start = dt.datetime.combine(months[0], dt.time())
    end = dt.datetime.combine(add_months(months[-1], 1), dt.time())
    # Literal positions: bound ones would make PostgreSQL see two different expressions
    # ($1, $2 in the select list, $5, $6 in GROUP BY) and refuse the grouping.
    month = fn.SUBSTR(Case.reported_at.cast("TEXT"), SQL("1"), SQL("7"))
    query = (
        Case.select(month, fn.COUNT(Case.id))
        .where(Case.reported_at >= start, Case.reported_at < end)
        .group_by(month)
    )
    conditions = _case_conditions(scope)
    found = {key: int(n) for key, n in tuples(_where(query, conditions))}
    return [MonthCount(m, found.get(f"{m:%Y-%m}", 0)) for m in months]


def overview(
    scope: ReportScope = ReportScope(), *, threshold: int = 10, top_categories: int = TOP_CATEGORIES
) -> Overview:
    """The default ``psm summary`` and the Laporan view: every table in one call."""
    today = clock.today()
    kelurahan = by_kelurahan(scope)
    kecamatan = by_kecamatan(scope, kelurahan)
    return Overview(
        scope=scope,
        today=today,
        by_status=status_totals(kecamatan),
        kecamatan=kecamatan,
        categories=by_category(scope, top_categories),
        opd=by_opd(scope, today),
        workload=workload(scope.kecamatan, threshold),
        months=monthly_intake(scope, today),
        kelurahan=kelurahan,
        finished_in_period=sum(k.finished_in_period for k in kecamatan),
    )
