"""Tindak lanjut: follow-ups by OPD, overdue first, with quick status updates (key s) and a
search (key /); at most LIMIT rows are read, and the filter line says so when there are more."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from psm_tui.core import case_queries, dashboard, followups
from psm_tui.core.dashboard import OpdCount
from psm_tui.core.dto import Actor, CaseDetail, FollowUpInfo
from psm_tui.core.followups import FollowUpFilter
from psm_tui.core.labels import followup_status_label
from psm_tui.i18n import N_, _, format_date, format_number
from psm_tui.tui.context import actor
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.messages import JobResult, OpenCase
from psm_tui.tui.text import clean, fit, plain
from psm_tui.tui.views.base import View
from psm_tui.tui.widgets.fitted_table import WHOLE, FittedTable
from psm_tui.tui.widgets.inputs import TextInput

SCOPES = ("open", "overdue", "due_soon", "all")
LIMIT = 500


def scope_label(scope: str) -> str:
    return {
        "open": _("open"),
        "overdue": _("overdue"),
        "due_soon": _("due in 7 days"),
        "all": _("all, finished too"),
    }[scope]


def opd_line(name: str, open_count: int, overdue: int) -> Text:
    """``Dinkes       87  45!``: open, then overdue, in fixed columns."""
    line = Text(fit(name, 11) + f"{open_count:>4}")
    line.append(f"{overdue:>4}!" if overdue else "     ", style="bold" if overdue else "")
    return line


class FollowupSearch(TextInput):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Close search"), id="followups.search_close")
    ]

    def action_close(self) -> None:
        for view in self.ancestors:
            if isinstance(view, FollowupsView):
                view.close_search(clear=True)


class FollowupsView(View):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "update", N_("Update status"), id="followups.status"),
        Binding("slash", "search", N_("Search"), id="followups.search"),
        Binding("n", "new", N_("New follow-up"), id="followups.new"),
        Binding("F", "scope", N_("Open/overdue/all"), id="followups.scope"),
        Binding("left,h", "focus_opds", N_("OPD list"), show=False, id="followups.opds"),
        Binding("right,l", "focus_table", N_("Follow-ups"), show=False, id="followups.table"),
    ]

    class Listed(JobResult):
        def __init__(self, opds: list[OpdCount], rows: list[FollowUpInfo]) -> None:
            super().__init__()
            self.opds = opds
            self.rows = rows

    class CaseRead(JobResult):
        """The case of the highlighted follow-up, to add another follow-up to it."""

        def __init__(self, detail: CaseDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.scope = "open"
        self.opd: str | None = None
        self.opds: list[OpdCount] = []
        self.rows: list[FollowUpInfo] = []
        self.more = False  # more than LIMIT rows match: only the first LIMIT are shown
        self.search = ""

    def compose(self) -> ComposeResult:
        with Horizontal():
            opd_list = OptionList(id="opd-list")
            opd_list.can_focus = True
            yield opd_list
            with Vertical():
                yield Static("", id="fu-filter-line", classes="filter-line")
                search = FollowupSearch(
                    id="fu-search", placeholder=_("case number, client or request; enter")
                )
                search.display = False
                yield search
                table = FittedTable(cursor_type="row", id="fu-table")
                table.fitted_columns(
                    (_("Case"), WHOLE),
                    (_("Due"), WHOLE),
                    (_("Status"), WHOLE),
                    ("OPD", 6),
                    (_("Request"), 10),
                )
                yield table
                yield Static("", id="fu-preview", classes="preview-line")

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#fu-table", DataTable)

    @property
    def focus_target(self) -> Widget:
        return self.table

    def show_scope(self, scope: str) -> None:
        self.scope = scope
        self.opd = None
        self.refresh_data()

    def load(self) -> None:
        filters = FollowUpFilter(
            opd=self.opd,
            open_only=self.scope == "open",
            overdue=self.scope == "overdue",
            due_soon=self.scope == "due_soon",
            search=self.search or None,
        )
        self._read(actor(self), filters)

    @db_worker(group="followups", exclusive=True)
    def _read(self, who: Actor, filters: FollowUpFilter) -> Listed:
        return self.Listed(
            dashboard.followups_by_opd(who),
            followups.list_followups(filters, limit=LIMIT + 1, actor=who),
        )

    @on(Listed)
    def _show(self, message: Listed) -> None:
        self.opds = message.opds
        self.more = len(message.rows) > LIMIT
        self.rows = message.rows[:LIMIT]
        opd_list = self.query_one("#opd-list", OptionList)
        highlighted = opd_list.highlighted
        opd_list.clear_options()
        total_open = sum(o.open for o in self.opds)
        total_late = sum(o.overdue for o in self.opds)
        opd_list.add_option(Option(opd_line(_("All"), total_open, total_late), id="*"))
        for opd in self.opds:
            opd_list.add_option(Option(opd_line(opd.abbrev, opd.open, opd.overdue), id=opd.code))
        opd_list.highlighted = highlighted if highlighted is not None else 0
        table = self.table
        row = table.cursor_row
        table.clear()
        for f in self.rows:
            table.add_row(
                Text(f.case_number),
                Text(format_date(f.due_on), style="bold" if f.overdue else ""),
                Text(followup_status_label(f.status) + (" !" if f.overdue else "")),
                Text(f.opd_name),
                plain(f.action, single_line=True),
                key=str(f.id),
            )
        table.move_cursor(row=row)
        self._update_line()
        self._preview()

    def _update_line(self) -> None:
        opd = next((o.abbrev for o in self.opds if o.code == self.opd), _("all partners"))
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.more:  # said first: the line may be cut at the right
            line.append(_("first {n} follow-ups").format(n=format_number(LIMIT)), style="bold")
            line.append(" · " + _("narrow with / or an OPD"), style="bold")
        else:
            line.append(_("{n} follow-ups").format(n=format_number(len(self.rows))), style="bold")
        line.append(" · " + opd + " · " + scope_label(self.scope))
        if self.search:
            searched = clean(self.search, single_line=True)
            line.append(" · " + _("search: {text}").format(text=searched))
        line.append(" · " + _("left: open and overdue (!) per OPD"), style="dim")
        self.query_one("#fu-filter-line", Static).update(line)

    def current(self) -> FollowUpInfo | None:
        row = self.table.cursor_row
        return self.rows[row] if self.rows and 0 <= row < len(self.rows) else None

    def _preview(self) -> None:
        f = self.current()
        line = Text(no_wrap=True, overflow="ellipsis")
        if f is not None:
            line.append(f"{f.case_number} {f.opd_name}: ", style="bold")
            line.append(clean(f.action, single_line=True))
            if f.response or f.reason:
                line.append(" → " + clean(f.response or f.reason, single_line=True))
        self.query_one("#fu-preview", Static).update(line)

    @on(DataTable.RowHighlighted, "#fu-table")
    def _highlighted(self) -> None:
        self._preview()

    @on(DataTable.RowSelected, "#fu-table")
    def _selected(self) -> None:
        if (f := self.current()) is not None:
            self.post_message(OpenCase(f.case_number))

    @on(OptionList.OptionSelected, "#opd-list")
    def _opd_chosen(self, event: OptionList.OptionSelected) -> None:
        self.opd = None if event.option.id == "*" else event.option.id
        self.refresh_data()
        self.table.focus()

    def action_scope(self) -> None:
        self.scope = SCOPES[(SCOPES.index(self.scope) + 1) % len(SCOPES)]
        self.refresh_data()

    def action_search(self) -> None:
        search = self.query_one("#fu-search", FollowupSearch)
        search.value = self.search
        search.display = True
        self.screen.set_focus(search)  # now: keys typed right after "/" land in the box

    def close_search(self, *, clear: bool = False) -> None:
        self.query_one("#fu-search", FollowupSearch).display = False
        if clear and self.search:
            self.search = ""
            self.refresh_data()
        self.table.focus()

    @on(FollowupSearch.Submitted, "#fu-search")
    def _searched(self, event: FollowupSearch.Submitted) -> None:
        event.stop()
        self.search = event.value.strip()
        self.close_search()
        self.refresh_data()

    def action_focus_opds(self) -> None:
        self.query_one("#opd-list", OptionList).focus()

    def action_focus_table(self) -> None:
        self.table.focus()

    def action_update(self) -> None:
        from psm_tui.tui.modals.followup import FollowUpStatusDialog

        if (f := self.current()) is not None:
            self.app.push_screen(FollowUpStatusDialog(f), self._updated)

    def _updated(self, result: FollowUpInfo | None) -> None:
        if result is not None:
            self.app.notify(
                _("Follow-up {id}: {status}.").format(
                    id=result.id, status=followup_status_label(result.status)
                ),
                markup=False,
            )
            self.refresh_data()

    def action_new(self) -> None:
        f = self.current()
        if f is None:
            self.app.notify(
                _("Open a case (key 2) and press f to add its first follow-up."), severity="warning"
            )
            return
        self._read_case(actor(self), f.case_number)

    @db_worker()
    def _read_case(self, who: Actor, number: str) -> CaseRead:
        return self.CaseRead(case_queries.case_detail(who, number))

    @on(CaseRead)
    def _new_for(self, message: CaseRead) -> None:
        from psm_tui.tui.modals.followup import FollowUpDialog

        self.app.push_screen(FollowUpDialog(message.detail.summary), self._created)

    def _created(self, result: FollowUpInfo | None) -> None:
        if result is not None:
            self.app.notify(_("Follow-up sent to {opd}.").format(opd=result.opd_name), markup=False)
            self.refresh_data()
