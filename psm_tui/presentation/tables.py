"""The figures of :mod:`reports` as plain tables: one shape for the terminal, CSV, XLSX and the TUI.

A :class:`ReportTable` holds typed raw values (ints, dates, rupiah as int); each renderer formats
them its own way, so a table, its CSV and its sheet always carry the same numbers. A row may carry
the case filter it stands for, which the Laporan view uses to drill down into the case list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from babel.dates import format_date as babel_format_date

from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.labels import HELD_STATUSES, OPEN_STATUSES, STATUSES, status_label
from psm_tui.core.reports import (
    CategoryCount,
    MonthCount,
    OpdFigures,
    Overview,
    StatusBreakdown,
)
from psm_tui.core.workload import (
    KelurahanLoad,
    WorkerLoad,
    Workload,
)
from psm_tui.i18n import (
    _,
    current_language,
    format_date,
    format_datetime,
    format_number,
    format_rupiah,
    format_tenths,
)

# How a renderer shows a value: text (user text), id (digits kept as text: NIK, KK, phone),
# int, money (rupiah), float, date, datetime, month (its first day), bool, bar (an int drawn
# as a bar where the renderer can).
KINDS = ("text", "id", "int", "money", "float", "date", "datetime", "month", "bool", "bar")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"
    width: int = 12  # characters, for spreadsheets
    optional: bool = False  # a narrow terminal may leave it out; files always carry it


@dataclass(frozen=True)
class Row:
    key: str
    values: tuple[object, ...]
    drill: CaseFilter | None = None
    total: bool = False


@dataclass
class ReportTable:
    key: str
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    chart: str = ""  # the column the TUI draws as bars (besides "bar" columns)

    def add(
        self, key: object, *values: object, drill: CaseFilter | None = None, total: bool = False
    ) -> None:
        self.rows.append(Row(str(key), tuple(values), drill, total))

    def add_total(self, label: str, **fixed: object) -> None:
        """A total row: sums of the numeric columns, ``label`` in the first; ``fixed`` overrides."""
        values: list[object] = []
        for index, column in enumerate(self.columns):
            if index == 0:
                values.append(label)
            elif column.key in fixed:
                values.append(fixed[column.key])
            elif column.kind in ("int", "money", "bar"):
                values.append(sum(magnitude(r.values[index]) for r in self.rows if not r.total))
            else:
                values.append(None)
        self.add("total", *values, total=True)

    def column(self, key: str) -> list[object]:
        index = [c.key for c in self.columns].index(key)
        return [row.values[index] for row in self.rows]


BLOCKS = " ▏▎▍▌▋▊▉█"


def magnitude(value: object) -> int:
    """A numeric cell as a whole number (a bar's length, a total's term); empty counts 0.

    Cells are typed ``object``: a figure may come back as int, Decimal (PostgreSQL sums) or text.
    """
    if not value:
        return 0
    if isinstance(value, int | float | str | Decimal):
        return int(value)
    raise TypeError(f"not a number: {value!r}")


def bar(value: int, largest: int, width: int) -> str:
    """A horizontal bar in eighths of a character (plain text: fine under NO_COLOR)."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / largest * width * 8))
    return "█" * (eighths // 8) + (BLOCKS[eighths % 8] if eighths % 8 else "")


def display_value(value: object, kind: str) -> str:
    """A value as the terminal and the TUI show it, in the user's language."""
    if value is None:
        return "-"
    if kind in ("int", "bar") and isinstance(value, int):
        return format_number(value)
    if kind == "money" and isinstance(value, int):
        return format_rupiah(value)
    if kind == "float" and isinstance(value, int | float):
        return format_tenths(value)
    if kind == "month" and isinstance(value, dt.date):
        return babel_format_date(value, format="MMM y", locale=current_language())
    if kind == "date" and isinstance(value, dt.date):
        return format_date(value)
    if kind == "datetime" and isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _status_columns() -> list[Column]:
    return [Column(s, status_label(s), "int", 11) for s in STATUSES] + [
        Column("open", _("open"), "int", 9),
        Column("total", _("total"), "int", 9),
    ]


# Tables whose figures count the cases reported in the chosen period (the rest are today's
# snapshot): their drill-down carries the period too.
PERIOD_TABLES = frozenset({"status", "kecamatan", "kelurahan", "category"})


def _status_values(row: StatusBreakdown) -> tuple[int, ...]:
    return (*(row.counts[s] for s in STATUSES), row.open, row.total)


def status_table(by_status: dict[str, int], kecamatan: str | None = None) -> ReportTable:
    table = ReportTable(
        "status",
        _("Cases by status"),
        [Column("status", _("Status"), "text", 16), Column("cases", _("Cases"), "int", 10)],
        chart="cases",
    )
    for status in STATUSES:
        table.add(
            status,
            status_label(status),
            by_status[status],
            drill=CaseFilter(status=(status,), kecamatan=kecamatan),
        )
    table.add(
        "open",
        _("open"),
        sum(by_status[s] for s in OPEN_STATUSES),
        drill=CaseFilter(status=OPEN_STATUSES, kecamatan=kecamatan),
        total=True,
    )
    table.add(
        "total",
        _("total"),
        sum(by_status.values()),
        drill=CaseFilter(kecamatan=kecamatan),
        total=True,
    )
    return table


def total_label(kecamatan: str | None) -> str:
    """The last row of a table: the city's, or only the kecamatan's when one is chosen."""
    return _("Total Kec.") if kecamatan else _("City total")


def area_table(
    rows: list[StatusBreakdown], *, kelurahan: bool = False, kecamatan: str | None = None
) -> ReportTable:
    """Kecamatan (or kelurahan) × status, with the total last."""
    first = (
        [
            Column("kelurahan", _("Kelurahan"), "text", 22),
            Column("kecamatan", _("Kecamatan"), "text", 16, optional=True),
        ]
        if kelurahan
        else [Column("kecamatan", _("Kecamatan"), "text", 16)]
    )
    table = ReportTable(
        "kelurahan" if kelurahan else "kecamatan",
        _("Cases by kelurahan") if kelurahan else _("Cases by kecamatan"),
        [
            *first,
            *_status_columns(),
            Column("finished_in_period", _("finished in period"), "int", 11, optional=True),
            Column("active_psm", _("active PSM"), "int", 9, optional=True),
        ],
        chart="open",
    )
    for row in rows:
        names = (row.name, row.kecamatan_name) if kelurahan else (row.name,)
        drill = CaseFilter(kelurahan=row.code) if kelurahan else CaseFilter(kecamatan=row.code)
        table.add(
            row.code,
            *names,
            *_status_values(row),
            row.finished_in_period,
            row.active_psm,
            drill=drill,
        )
    table.add_total(total_label(kecamatan))
    return table


def category_table(
    rows: list[CategoryCount], kecamatan: str | None = None, title: str | None = None
) -> ReportTable:
    table = ReportTable(
        "category",
        title or _("PPKS categories"),
        [
            Column("code", _("No."), "int", 5),
            Column("category", _("PPKS category"), "text", 40),
            Column("open", _("open"), "int", 9),
            Column("total", _("total"), "int", 9),
        ],
        chart="total",
    )
    for row in rows:
        table.add(
            row.code,
            row.code,
            row.name,
            row.open,
            row.total,
            drill=CaseFilter(category=str(row.code), kecamatan=kecamatan),
        )
    return table


def opd_table(rows: list[OpdFigures]) -> ReportTable:
    table = ReportTable(
        "opd",
        _("Follow-ups by OPD"),
        [
            Column("opd", "OPD", "text", 16),
            Column("sent", _("sent"), "int", 9),
            Column("open", _("open"), "int", 9),
            Column("overdue", _("overdue"), "int", 9),
            Column("rejected", _("rejected"), "int", 9),
            Column("median_days", _("median days to answer"), "float", 12),
        ],
        chart="open",
    )
    for row in rows:
        table.add(
            row.code, row.name, row.total, row.open, row.overdue, row.rejected, row.median_days
        )
    return table


def distribution_table(workload: Workload) -> ReportTable:
    table = ReportTable(
        "distribution",
        _("Open cases per PSM"),
        [Column("open_cases", _("Open cases"), "text", 12), Column("psm", _("PSM"), "bar", 10)],
        note=_("{count} active PSM hold {cases} open cases; {idle} hold none").format(
            count=workload.active_psm, cases=workload.open_cases, idle=workload.psm_without_cases
        ),
    )
    for bucket in workload.distribution:
        table.add(bucket.label, bucket.label, bucket.workers)
    return table


def worker_table(rows: list[WorkerLoad], title: str | None = None) -> ReportTable:
    table = ReportTable(
        "workers",
        title or _("Open cases per worker"),
        [
            Column("id", "ID", "int", 7),
            Column("name", _("Name"), "text", 26),
            Column("kind", _("Kind"), "text", 6),
            Column("kelurahan", _("Kelurahan"), "text", 22),
            Column("kecamatan", _("Kecamatan"), "text", 16),
            Column("open_cases", _("Open"), "int", 8),
        ],
        chart="open_cases",
    )
    for w in rows:
        table.add(
            w.id,
            w.id,
            w.name,
            w.kind.upper(),
            w.kelurahan_name or "-",
            w.kecamatan_name,
            w.open_cases,
            drill=CaseFilter(worker_id=w.id, status=HELD_STATUSES),
        )
    return table


def flagged_kelurahan_table(workload: Workload) -> ReportTable:
    """Kelurahan with no active PSM, or with more open cases per PSM than the threshold."""
    table = ReportTable(
        "flagged_kelurahan",
        _("Kelurahan needing PSM"),
        [
            Column("kelurahan", _("Kelurahan"), "text", 22),
            Column("kecamatan", _("Kecamatan"), "text", 16),
            Column("active_psm", _("PSM"), "int", 6),
            Column("open_cases", _("Open"), "int", 8),
            Column("per_psm", _("per PSM"), "float", 9),
        ],
        note=_("Threshold: more than {n} open cases per PSM").format(n=workload.threshold),
        chart="open_cases",
    )
    rows: list[KelurahanLoad] = [*workload.kelurahan_without_psm, *workload.kelurahan_overloaded]
    for k in rows:
        table.add(
            k.code,
            k.name,
            k.kecamatan_name,
            k.active_psm,
            k.open_cases,
            k.per_psm,
            drill=CaseFilter(kelurahan=k.code, status=OPEN_STATUSES),
        )
    return table


def month_table(rows: list[MonthCount]) -> ReportTable:
    table = ReportTable(
        "months",
        _("Cases reported per month"),
        [Column("month", _("Month"), "month", 10), Column("cases", _("Cases"), "bar", 10)],
    )
    for m in rows:
        table.add(m.key, m.month, m.count)
    return table


def overview_tables(overview: Overview) -> list[ReportTable]:
    """The default summary, in the order it is printed."""
    workload = overview.workload
    return [
        status_table(overview.by_status, overview.scope.kecamatan),
        area_table(overview.kecamatan, kecamatan=overview.scope.kecamatan),
        category_table(overview.categories, overview.scope.kecamatan, _("Top PPKS categories")),
        opd_table(overview.opd),
        distribution_table(workload),
        worker_table(workload.most_loaded, _("Most loaded PSM")),
        flagged_kelurahan_table(workload),
        month_table(overview.months),
    ]
