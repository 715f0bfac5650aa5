"""Laporan (reports): the figures of ``psm summary`` as tables with bars, the intake sparkline,
a period and kecamatan to pick, drill-down into the case list, the monthly report export, and
the month's PSM incentive (``i``: its status, prepare it, record the payout).

Everything comes from :mod:`psm_tui.core.reports` in a thread worker (a million cases take a
few seconds; the screen stays responsive and says it is counting).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from rich.console import JustifyMethod
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import DataTable, Sparkline, Static

from psm_tui.core import reports
from psm_tui.core.dto import Actor, Ref
from psm_tui.core.incentive import Payout
from psm_tui.core.outbox import fetch_hint
from psm_tui.core.reference import all_kecamatan
from psm_tui.core.reports import MonthCount, ReportScope
from psm_tui.i18n import N_, _, format_date, format_number
from psm_tui.presentation.exports import ExportResult
from psm_tui.presentation.tables import (
    PERIOD_TABLES,
    ReportTable,
    Row,
    area_table,
    bar,
    display_value,
    magnitude,
    overview_tables,
)
from psm_tui.tui.context import actor, boundary, settings
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.messages import JobResult, ShowCases
from psm_tui.tui.text import clean, plain
from psm_tui.tui.views.base import View

BAR_CELLS = 14
NUMERIC = ("int", "money", "float", "bar")


@dataclass(frozen=True)
class LaporanData:
    scope: ReportScope
    tables: list[ReportTable]
    months: list[MonthCount]
    kecamatan: list[Ref]
    shown: ReportScope  # ``scope`` within the user's read scope: what the figures cover


def read(who: Actor, scope: ReportScope, threshold: int) -> LaporanData:
    """Every table of the view in one worker job (the summary's, plus the kelurahan table)."""
    shown = reports.scoped(who, scope)
    overview = reports.overview(shown, threshold=threshold)
    tables = overview_tables(overview)
    tables.insert(2, area_table(overview.kelurahan, kelurahan=True, kecamatan=shown.kecamatan))
    return LaporanData(scope, tables, overview.months, all_kecamatan(), shown)


def describe(scope: ReportScope, kecamatan: list[Ref]) -> str:
    if scope.date_from or scope.date_to:
        period = _("{first} to {last}").format(
            first=format_date(scope.date_from), last=format_date(scope.date_to)
        )
    else:
        period = _("all time")
    area = next((k.name for k in kecamatan if k.code == scope.kecamatan), None)
    where = _("Kec. {name}").format(name=area) if area else _("the whole city")
    return _("Period: {period} · {where}").format(period=period, where=where)


class LaporanView(View):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "scope", N_("Period / kecamatan"), id="reports.scope"),
        Binding("e", "export", N_("Export report"), id="reports.export"),
        Binding("i", "incentive", N_("Incentive"), id="reports.incentive"),
        Binding("right_square_bracket", "section(1)", N_("Next table"), id="reports.next"),
        Binding("left_square_bracket", "section(-1)", N_("Previous table"), id="reports.previous"),
        Binding("j", "cursor('down')", N_("Down"), show=False, id="reports.down"),
        Binding("k", "cursor('up')", N_("Up"), show=False, id="reports.up"),
    ]

    class Counted(JobResult):
        def __init__(self, data: LaporanData) -> None:
            super().__init__()
            self.data = data

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.scope = ReportScope()
        self.data: LaporanData | None = None
        self.section = 0
        self.rows: list[Row] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="report-scope-line", classes="filter-line")
        yield Static("", id="report-title", classes="section")
        table: DataTable[Text] = DataTable(cursor_type="row", id="report-table")
        yield table
        yield Static("", id="report-note", classes="hint")
        with Horizontal(id="report-trend"):
            yield Static("", id="report-trend-label")
            yield Sparkline([], id="report-sparkline")
        yield Static(
            _("enter: the matching cases · [ ] other tables · p period · e export · i incentive"),
            classes="preview-line",
        )

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#report-table", DataTable)

    @property
    def focus_target(self) -> Widget:
        return self.table

    def load(self) -> None:
        self.query_one("#report-title", Static).update(_("Counting…"))
        self._count(actor(self), self.scope, settings(self).overload_threshold)

    @db_worker(group="reports", exclusive=True)
    def _count(self, who: Actor, scope: ReportScope, threshold: int) -> Counted:
        return self.Counted(read(who, scope, threshold))

    @on(Counted)
    def _show(self, message: Counted) -> None:
        data = message.data
        if data.scope != self.scope:
            return  # an older scope's answer arriving late
        self.data = data
        self.query_one("#report-scope-line", Static).update(
            Text(describe(data.shown, data.kecamatan), no_wrap=True, overflow="ellipsis")
        )
        self.section = min(self.section, len(data.tables) - 1)
        self._show_table()
        counts = [m.count for m in data.months]
        self.query_one("#report-sparkline", Sparkline).data = counts
        if data.months:
            # The figures first: when the line is short of room, the period is what is cut.
            label = _("Intake: latest {now}, highest {top} · {first}–{last}").format(
                first=display_value(data.months[0].month, "month"),
                last=display_value(data.months[-1].month, "month"),
                now=format_number(counts[-1]),
                top=format_number(max(counts)),
            )
            self.query_one("#report-trend-label", Static).update(plain(label))

    def _show_table(self) -> None:
        if self.data is None:
            return
        report = self.data.tables[self.section]
        widths, chart = self._fitting(report)
        columns = [c for c in report.columns if c.key in widths]
        table = self.table
        row = table.cursor_row if table.row_count else 0
        table.clear(columns=True)
        largest: dict[int, int] = {}
        for column in columns:
            index = report.columns.index(column)
            justify: JustifyMethod = "right" if column.kind in NUMERIC else "left"
            table.add_column(Text(column.label, justify=justify), width=widths[column.key])
            if chart and (column.kind == "bar" or column.key == report.chart):
                values = [magnitude(r.values[index]) for r in report.rows if not r.total]
                largest[index] = max(values, default=0)
                table.add_column(Text(""), width=BAR_CELLS)
        self.rows = report.rows
        for number, item in enumerate(report.rows):
            style = "bold" if item.total else ""
            cells: list[Text] = []
            for column in columns:
                index = report.columns.index(column)
                value = item.values[index]
                justify = "right" if column.kind in NUMERIC else "left"  # as the header's
                text = clean(display_value(value, column.kind), single_line=True)
                cells.append(
                    Text(text, style=style, justify=justify, no_wrap=True, overflow="ellipsis")
                )
                if index in largest:
                    drawn = "" if item.total else bar(magnitude(value), largest[index], BAR_CELLS)
                    cells.append(Text(drawn))
            table.add_row(*cells, key=str(number))
        table.move_cursor(row=min(row, max(len(report.rows) - 1, 0)))
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f"◀ {self.section + 1}/{len(self.data.tables)} ")
        title.append(clean(report.title, single_line=True), style="bold")
        title.append(" ▶")
        self.query_one("#report-title", Static).update(title)
        notes = [report.note] if report.note else []
        if not report.rows:
            notes.insert(0, _("None."))
        hidden = [c.label for c in report.columns if c not in columns]
        if hidden:
            notes.append(
                _("Left out to fit the screen: {columns}").format(columns=", ".join(hidden))
            )
        self.query_one("#report-note", Static).update(plain(" ".join(notes)))

    def _fitting(self, report: ReportTable) -> tuple[dict[str, int], bool]:
        """Column widths (and whether bars are drawn) that fit the screen: optional columns and
        bars give way first, then the widest text column is cut (with an ellipsis)."""
        width = (self.table.size.width or 80) - 2
        sizes: dict[str, int] = {}
        for index, column in enumerate(report.columns):
            cells = [display_value(r.values[index], column.kind) for r in report.rows]
            sizes[column.key] = max([len(column.label), *map(len, cells)])
        bars = sum(
            BAR_CELLS + 2 for c in report.columns if c.kind == "bar" or c.key == report.chart
        )
        required = [c for c in report.columns if not c.optional]
        for columns, chart in (
            (report.columns, True),
            (report.columns, False),
            (required, True),
            (required, False),
        ):
            used = sum(sizes[c.key] + 2 for c in columns) + (bars if chart else 0)
            if used <= width:
                return {c.key: sizes[c.key] for c in columns}, chart
        fitted = {c.key: sizes[c.key] for c in required}
        texts = [c.key for c in required if c.kind == "text"]
        if texts:
            widest = max(texts, key=lambda key: fitted[key])
            excess = sum(fitted.values()) + 2 * len(fitted) - width
            fitted[widest] = max(12, fitted[widest] - excess)
        return fitted, False

    # -- keys --------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#report-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        item = self.rows[int(str(event.row_key.value))]
        if item.drill is None:
            self.app.notify(_("These figures have no case list behind them."), markup=False)
            return
        drill = item.drill
        if self.data is not None and self.data.tables[self.section].key in PERIOD_TABLES:
            drill = replace(
                drill, reported_from=self.scope.date_from, reported_to=self.scope.date_to
            )
        worker = item.values[1] if drill.worker_id else ""
        self.post_message(ShowCases(drill, str(worker)))

    def action_section(self, step: int) -> None:
        if self.data is not None:
            self.section = (self.section + step) % len(self.data.tables)
            self.table.move_cursor(row=0)
            self._show_table()

    async def action_cursor(self, direction: str) -> None:
        focused = self.screen.focused
        if isinstance(focused, DataTable):
            await focused.run_action(f"cursor_{direction}")

    def action_scope(self) -> None:
        from psm_tui.tui.modals.report_scope import ScopeDialog

        kecamatan = self.data.kecamatan if self.data else []
        self.app.push_screen(ScopeDialog(self.scope, kecamatan), self._scope_chosen)

    def _scope_chosen(self, scope: ReportScope | None) -> None:
        if scope is not None and scope != self.scope:
            self.scope = scope
            self.refresh_data()

    def action_export(self) -> None:
        from psm_tui.tui.modals.report_export import ExportDialog

        self.app.push_screen(ExportDialog(self.scope), self._exported)

    def action_incentive(self) -> None:
        from psm_tui.tui.modals.incentive import IncentiveDialog

        self.app.push_screen(IncentiveDialog(), self._incentive_done)

    def _incentive_done(self, payout: Payout | None) -> None:
        if payout is not None:
            from psm_tui.tui.modals.incentive import payout_status

            self.app.notify(payout_status(payout.month, payout), markup=False, timeout=12)

    def _exported(self, result: ExportResult | None) -> None:
        if result is not None:
            message = _("Monthly report written to {file}").format(file=result.output)
            if boundary(self).remote:
                message += ". " + fetch_hint(result.output.removeprefix("outbox/"))
            self.app.notify(message, markup=False, timeout=12)
