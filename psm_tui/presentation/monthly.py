"""The monthly report: the summary's tables for one month, with kecamatan and city totals.

One workbook, one sheet per table, built from the same functions as ``psm summary`` so the two
never disagree. Case figures count the cases reported in the month; "finished" counts those
resolved or closed in it; the workload sheets are the state on the day the report is made.
"""

from __future__ import annotations

import datetime as dt

from psm_tui.core import clock
from psm_tui.core.reference import all_kecamatan
from psm_tui.core.reports import (
    ReportScope,
    add_months,
    by_category,
    by_kecamatan,
    by_kelurahan,
    month_scope,
    monthly_intake,
    opd_summary,
)
from psm_tui.core.workload import (
    Workload,
    open_by_kelurahan,
    worker_loads,
    workload,
)
from psm_tui.i18n import _
from psm_tui.presentation.tables import (
    Column,
    ReportTable,
    area_table,
    category_table,
    distribution_table,
    flagged_kelurahan_table,
    month_table,
    opd_table,
    total_label,
)


def _workload_by_kecamatan(kecamatan: str | None, threshold: int) -> ReportTable:
    table = ReportTable(
        "workload",
        _("PSM workload per kecamatan"),
        [
            Column("kecamatan", _("Kecamatan"), "text", 16),
            Column("active_psm", _("active PSM"), "int", 9),
            Column("open_cases", _("open cases held"), "int", 10),
            Column("idle_psm", _("PSM without open case"), "int", 11),
            Column("max_load", _("most held by one PSM"), "int", 11),
            Column("no_psm", _("kelurahan without PSM"), "int", 11),
            Column("overloaded", _("kelurahan over threshold"), "int", 11),
        ],
        note=_("Threshold: more than {n} open cases per PSM").format(n=threshold),
    )
    psm = worker_loads(kecamatan, "psm")
    kelurahan = open_by_kelurahan(kecamatan)
    for kec in all_kecamatan():
        if kecamatan and kec.code != kecamatan:
            continue
        loads = [w.open_cases for w in psm if w.kecamatan_code == kec.code]
        kels = [k for k in kelurahan if k.kecamatan_code == kec.code]
        table.add(
            kec.code,
            kec.name,
            len(loads),
            sum(loads),
            sum(1 for n in loads if n == 0),
            max(loads, default=0),
            sum(1 for k in kels if not k.active_psm),
            sum(1 for k in kels if k.per_psm is not None and k.per_psm > threshold),
        )
    table.add_total(total_label(kecamatan), max_load=max((w.open_cases for w in psm), default=0))
    return table


def _summary_table(tables: dict[str, ReportTable], load: Workload) -> ReportTable:
    """The headline numbers, read off the other sheets so they cannot disagree."""
    kec, opd = tables["kecamatan"].rows[-1], tables["opd"].rows[-1]
    kec_cols = [c.key for c in tables["kecamatan"].columns]
    opd_cols = [c.key for c in tables["opd"].columns]
    table = ReportTable(
        "summary",
        _("Summary"),
        [Column("indicator", _("Indicator"), "text", 44), Column("value", _("Value"), "int", 12)],
    )
    for key, label, value in (
        ("reported", _("Cases reported"), kec.values[kec_cols.index("total")]),
        ("still_open", _("of which still open"), kec.values[kec_cols.index("open")]),
        (
            "finished",
            _("Cases finished in the month"),
            kec.values[kec_cols.index("finished_in_period")],
        ),
        ("followups", _("Follow-ups sent to OPD"), opd.values[opd_cols.index("sent")]),
        ("followups_open", _("of which still open"), opd.values[opd_cols.index("open")]),
        ("followups_overdue", _("of which overdue"), opd.values[opd_cols.index("overdue")]),
        ("followups_rejected", _("of which rejected"), opd.values[opd_cols.index("rejected")]),
        ("active_psm", _("Active PSM (today)"), load.active_psm),
        ("idle_psm", _("PSM without an open case (today)"), load.psm_without_cases),
        ("no_psm", _("Kelurahan without an active PSM"), len(load.kelurahan_without_psm)),
        ("overloaded", _("Kelurahan over the workload threshold"), len(load.kelurahan_overloaded)),
    ):
        table.add(key, label, value)
    return table


def monthly_report(
    month: dt.date, kecamatan: str | None = None, *, threshold: int = 10
) -> list[ReportTable]:
    """Every sheet of the monthly report for ``month`` (its first day)."""
    scope = month_scope(month, kecamatan)
    kelurahan_rows = by_kelurahan(scope)
    kecamatan_rows = by_kecamatan(scope, kelurahan_rows)
    categories = category_table(by_category(scope), kecamatan)
    categories.add_total(_("Total"))
    per_opd, every_opd = opd_summary(scope, clock.today())
    opd = opd_table(per_opd)
    opd.add_total(_("Total"), median_days=every_opd.median_days)
    load = workload(kecamatan, threshold)
    trend_scope = ReportScope(add_months(month, -11), scope.date_to, kecamatan)
    tables = {
        "kecamatan": area_table(kecamatan_rows, kecamatan=kecamatan),
        "kelurahan": area_table(kelurahan_rows, kelurahan=True, kecamatan=kecamatan),
        "category": categories,
        "opd": opd,
        "workload": _workload_by_kecamatan(kecamatan, threshold),
        "distribution": distribution_table(load),
        "flagged": flagged_kelurahan_table(load),
        "months": month_table(monthly_intake(trend_scope)),
    }
    return [_summary_table(tables, load), *tables.values()]
