"""Kasus: the case list with filters, search, sorting, marks and the case actions."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget

from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import CaseSummary, KelurahanRef, Ref, RegisterResult
from psm_tui.core.labels import OPEN_STATUSES, priority_label, status_label
from psm_tui.core.lookup import category_abbrevs
from psm_tui.core.reference import all_kecamatan, all_kelurahan
from psm_tui.i18n import N_, _, format_number
from psm_tui.tui.case_actions import CaseActions
from psm_tui.tui.context import actor
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.keys import case_action_bindings
from psm_tui.tui.messages import JobResult, OpenCase
from psm_tui.tui.text import clean
from psm_tui.tui.views.base import View
from psm_tui.tui.widgets.case_table import CaseTable
from psm_tui.tui.widgets.inputs import TextInput
from psm_tui.tui.widgets.one_line import OneLine

ORDERS = ("newest", "oldest", "priority", "number")


def order_label(order: str) -> str:
    return {
        "newest": _("newest first"),
        "oldest": _("oldest first"),
        "priority": _("most urgent first"),
        "number": _("by number"),
    }[order]


class SearchInput(TextInput):
    """``/`` opens it; enter searches, escape closes it without searching."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Close search"), id="search.close")
    ]

    def action_close(self) -> None:
        view = self.parent
        if isinstance(view, CasesView):
            view.close_search()


class CasesView(CaseActions, View):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", N_("Search"), id="cases.search"),
        Binding("F", "filters", N_("Filter"), id="cases.filter"),
        Binding("n", "new_case", N_("New"), id="cases.new"),
        *case_action_bindings(),
        Binding("o", "order", N_("Sort"), show=False, id="cases.sort"),
        Binding("x", "clear", N_("Clear filters"), show=False, id="cases.clear"),
        Binding("escape", "clear_search", N_("Clear search"), show=False, id="cases.clear_search"),
    ]

    class NamesRead(JobResult):
        """What the filter line and the table show for codes."""

        def __init__(
            self, abbrevs: dict[str, str], kecamatan: list[Ref], kelurahan: list[KelurahanRef]
        ) -> None:
            super().__init__()
            self.abbrevs = abbrevs
            self.kecamatan = kecamatan
            self.kelurahan = kelurahan

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.worker_label = ""
        self.names: dict[str, str] = {}
        self.loaded = False
        self.total: int | None = None

    def compose(self) -> ComposeResult:
        yield OneLine(id="case-filter-line", classes="filter-line")
        search = SearchInput(
            id="case-search",
            placeholder=_("name, NIK, case number or words of the description; enter searches"),
        )
        search.display = False
        yield search
        yield CaseTable(actor(self), id="case-table")
        yield OneLine(id="case-preview", classes="preview-line")

    @property
    def table(self) -> CaseTable:
        return self.query_one(CaseTable)

    def on_mount(self) -> None:
        self._read_names()

    @db_worker()
    def _read_names(self) -> NamesRead:
        return self.NamesRead(category_abbrevs(), all_kecamatan(), all_kelurahan())

    @on(NamesRead)
    def _names(self, message: NamesRead) -> None:
        self.table.abbrevs = message.abbrevs
        self.names = {k.code: _("Kec. {name}").format(name=k.name) for k in message.kecamatan}
        self.names.update({k.code: k.label for k in message.kelurahan})
        self.table.refresh()
        self.update_filter_line()

    # -- the view protocol (see views.base) --------------------------------------------------

    @property
    def focus_target(self) -> Widget:
        return self.table

    def load(self) -> None:
        """All cases the first time; later the same list again, keeping the cursor's case."""
        if self.loaded:
            self.table.reload()
        else:
            self.show(CaseFilter(), "")

    def show(self, filters: CaseFilter, worker_label: str = "") -> None:
        """Show the cases matching ``filters`` from the top."""
        self.loaded = True
        self.stale = False
        self.worker_label = worker_label if filters.worker_id else ""
        self.total = None
        self.table.load(filters)
        self.update_filter_line()

    # -- filter line and preview -------------------------------------------------------------

    def describe_filters(self) -> list[str]:
        f = self.table.filters
        parts = []
        if f.status == OPEN_STATUSES:
            parts.append(_("open"))
        elif f.status:
            parts.append(", ".join(status_label(s) for s in f.status))
        if f.worker_id:
            parts.append(_("PSM: {name}").format(name=clean(self.worker_label, single_line=True)))
        for code in (f.kelurahan, f.kecamatan):
            if code:
                parts.append(self.names.get(code, code))
        if f.category:
            parts.append(_("category {code}").format(code=f.category))
        if f.priority:
            parts.append(priority_label(f.priority))
        if f.unassigned:
            parts.append(_("unassigned"))
        if f.overdue:
            parts.append(_("overdue follow-ups"))
        if f.created_by:
            parts.append(_("my queue"))
        if f.search:
            parts.append(_("search: {text}").format(text=clean(f.search, single_line=True)))
        return parts

    def update_filter_line(self) -> None:
        parts = self.describe_filters()
        line = Text(no_wrap=True, overflow="ellipsis")
        count = "…" if self.total is None else format_number(self.total)
        line.append(_("{count} cases").format(count=count), style="bold")
        line.append(" · " + (" · ".join(parts) if parts else _("all cases")))
        line.append(" · " + order_label(self.table.order), style="dim")
        if self.table.marked:
            line.append(" · " + _("{n} marked").format(n=len(self.table.marked)), style="bold")
        self.query_one("#case-filter-line", OneLine).show(line)

    @on(CaseTable.Counted)
    def _counted(self, event: CaseTable.Counted) -> None:
        self.total = event.total
        self.update_filter_line()

    @on(CaseTable.Highlighted)
    def _highlighted(self, event: CaseTable.Highlighted) -> None:
        self.query_one("#case-preview", OneLine).show(preview(event.summary))
        self.update_filter_line()  # the count of marked cases may have changed

    @on(CaseTable.Selected)
    def _selected(self, event: CaseTable.Selected) -> None:
        self.post_message(OpenCase(event.summary.number, event.summary))

    # -- search, filters, sorting ------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#case-search", SearchInput)
        search.value = self.table.filters.search or ""
        search.display = True
        # Focus now, not after a refresh: keys typed right after "/" must land in the box.
        self.screen.set_focus(search)

    def close_search(self) -> None:
        self.query_one("#case-search", SearchInput).display = False
        self.table.focus()

    @on(SearchInput.Submitted, "#case-search")
    def _searched(self, event: SearchInput.Submitted) -> None:
        event.stop()
        self.close_search()
        text = event.value.strip()
        self.show(replace(self.table.filters, search=text or None), self.worker_label)

    def action_filters(self) -> None:
        from psm_tui.tui.modals.filters import FilterDialog

        def chosen(filters: CaseFilter | None) -> None:
            if filters is not None:
                self.show(filters, self.worker_label)

        self.app.push_screen(FilterDialog(self.table.filters), chosen)

    def action_order(self) -> None:
        order = ORDERS[(ORDERS.index(self.table.order) + 1) % len(ORDERS)]
        self.table.load(order=order)
        self.update_filter_line()

    def action_clear_search(self) -> None:
        if self.table.filters.search:
            self.show(replace(self.table.filters, search=None), self.worker_label)

    def action_clear(self) -> None:
        self.table.clear_marks()
        self.show(CaseFilter())

    def action_new_case(self) -> None:
        from psm_tui.tui.modals.new_case import NewCaseDialog

        def registered(result: RegisterResult | None) -> None:
            if result is None:
                return
            self.app.notify(
                _("Case {number} registered.").format(number=result.case.number), markup=False
            )
            self.table.reload()
            self.post_message(OpenCase(result.case.number))

        self.app.push_screen(NewCaseDialog(), registered)

    # -- case actions ------------------------------------------------------------------------

    def selected_case(self) -> CaseSummary | None:
        return self.table.current()

    def marked_numbers(self) -> list[str]:
        return list(self.table.marked)

    def after_change(self, number: str | None = None) -> None:
        self.table.reload()

    def after_bulk(self) -> None:
        self.table.clear_marks()
        self.table.reload()
        self.update_filter_line()


def preview(summary: CaseSummary | None) -> Text:
    """The highlighted row in full: the list's columns are narrow at 80 columns."""
    line = Text(no_wrap=True, overflow="ellipsis")
    if summary is None:
        return line
    worker = clean(summary.worker.name, single_line=True) if summary.worker else _("unassigned")
    line.append(summary.number, style="bold")
    line.append(" " + clean(summary.client_name, single_line=True))
    line.append(" · " + summary.kelurahan.label)
    line.append(" · " + clean(summary.category.name, single_line=True))
    line.append(" · " + _("PSM: {name}").format(name=worker))
    if summary.open_followups:
        line.append(" · " + _("{n} open follow-ups").format(n=summary.open_followups))
    if summary.overdue_followups:
        line.append(" " + _("({n} overdue)").format(n=summary.overdue_followups), style="bold")
    return line
