"""PSM: the roster by kecamatan and kelurahan with each worker's open caseload; enter shows a
worker's cases."""

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

from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import Ref, WorkerInfo
from psm_tui.core.labels import OPEN_STATUSES
from psm_tui.core.reference import all_kecamatan
from psm_tui.core.workers import WorkerFilter, list_workers
from psm_tui.i18n import N_, _, format_number
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.messages import JobResult, ShowCases
from psm_tui.tui.text import clean, plain
from psm_tui.tui.views.base import View
from psm_tui.tui.widgets.fitted_table import WHOLE, FittedTable
from psm_tui.tui.widgets.inputs import TextInput


class WorkerSearch(TextInput):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Close search"), id="workers.search_close")
    ]

    def action_close(self) -> None:
        for view in self.ancestors:
            if isinstance(view, WorkersView):
                view.close_search(clear=True)


class WorkersView(View):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", N_("Search"), id="workers.search"),
        Binding("n", "new_worker", N_("New"), id="workers.new"),
        Binding("i", "inactive", N_("Show inactive"), id="workers.inactive"),
        Binding("o", "profile", N_("Profile"), id="workers.profile"),
        Binding("left,h", "focus_areas", N_("Kecamatan list"), show=False, id="workers.areas"),
        Binding("right,l", "focus_table", N_("Roster"), show=False, id="workers.table"),
    ]

    class Listed(JobResult):
        """The roster asked for, and the kecamatan list the first time."""

        def __init__(self, areas: list[Ref] | None, rows: list[WorkerInfo]) -> None:
            super().__init__()
            self.areas = areas
            self.rows = rows

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kecamatan: list[Ref] = []
        self.area: str | None = None
        self.search: str = ""
        self.inactive = False
        self.rows: list[WorkerInfo] = []

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield OptionList(id="area-list")
            with Vertical():
                yield Static("", id="worker-filter-line", classes="filter-line")
                search = WorkerSearch(id="worker-search", placeholder=_("part of a name; enter"))
                search.display = False
                yield search
                table = FittedTable(cursor_type="row", id="worker-table")
                table.fitted_columns(
                    (_("Name"), 8),
                    (_("Kind"), 4),
                    (_("Kelurahan"), 5),
                    (_("Open"), 4),
                    (_("Phone"), WHOLE),
                )
                yield table
                yield Static(
                    _("enter: the worker's cases · / search · i inactive too"),
                    classes="preview-line",
                )

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#worker-table", DataTable)

    @property
    def focus_target(self) -> Widget:
        return self.table

    def load(self) -> None:
        filters = WorkerFilter(
            kecamatan=None if self.search else self.area,
            active=None if self.inactive else True,
            search=self.search or None,
        )
        self._read(filters, areas=not self.kecamatan, workers=bool(self.area or self.search))

    @db_worker(group="workers", exclusive=True)
    def _read(self, filters: WorkerFilter, *, areas: bool, workers: bool) -> Listed:
        return self.Listed(
            all_kecamatan() if areas else None, list_workers(filters) if workers else []
        )

    @on(Listed)
    def _show(self, message: Listed) -> None:
        areas, self.rows = message.areas, message.rows
        if areas is not None:
            self.kecamatan = areas
            area_list = self.query_one("#area-list", OptionList)
            area_list.add_options([Option(Text(k.name), id=k.code) for k in areas])
            if self.area is None and areas:
                self.area = areas[0].code
                area_list.highlighted = 0
                self.refresh_data()
                return
        table = self.table
        row = table.cursor_row
        table.clear()
        for w in self.rows:
            kind = "TKSK" if w.kind == "tksk" else "PSM"
            if not w.active:
                kind += " " + _("(inactive)")
            table.add_row(
                plain(w.name, single_line=True),
                Text(kind),
                Text(w.kelurahan_name or "-"),
                Text(str(w.open_cases), justify="right"),
                plain(w.phone or "-"),
                key=str(w.id),
            )
        table.move_cursor(row=row)
        self._update_line()

    def _update_line(self) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(_("{n} workers").format(n=format_number(len(self.rows))), style="bold")
        if self.search:
            line.append(
                " · " + _("search: {text}").format(text=clean(self.search, single_line=True))
            )
        else:
            name = next((k.name for k in self.kecamatan if k.code == self.area), "")
            line.append(" · " + _("Kec. {name}").format(name=name))
        open_cases = sum(w.open_cases for w in self.rows)
        line.append(" · " + _("{n} open cases held").format(n=format_number(open_cases)))
        self.query_one("#worker-filter-line", Static).update(line)

    @on(OptionList.OptionHighlighted, "#area-list")
    def _area(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id != self.area:
            self.area = event.option.id
            self.search = ""
            self.refresh_data()

    @on(OptionList.OptionSelected, "#area-list")
    def _area_chosen(self) -> None:
        self.table.focus()

    @on(DataTable.RowSelected, "#worker-table")
    def _worker_chosen(self, event: DataTable.RowSelected) -> None:
        worker = next((w for w in self.rows if str(w.id) == event.row_key.value), None)
        if worker is not None:
            filters = CaseFilter(worker_id=worker.id, status=OPEN_STATUSES)
            self.post_message(ShowCases(filters, worker.name))

    def action_search(self) -> None:
        search = self.query_one("#worker-search", WorkerSearch)
        search.value = self.search
        search.display = True
        # Focus now, not after a refresh: keys typed right after "/" must land in the box.
        self.screen.set_focus(search)

    def close_search(self, *, clear: bool = False) -> None:
        self.query_one("#worker-search", WorkerSearch).display = False
        if clear and self.search:
            self.search = ""
            self.refresh_data()
        self.table.focus()

    @on(WorkerSearch.Submitted, "#worker-search")
    def _searched(self, event: WorkerSearch.Submitted) -> None:
        event.stop()
        self.search = event.value.strip()
        self.close_search()
        self.refresh_data()

    def action_profile(self) -> None:
        """The highlighted worker's profile (training, move, deactivation: issue 7)."""
        from psm_tui.tui.screens.worker_profile import WorkerProfileScreen

        if 0 <= self.table.cursor_row < len(self.rows):
            self.app.push_screen(WorkerProfileScreen(self.rows[self.table.cursor_row].id))

    def action_new_worker(self) -> None:
        from psm_tui.tui.modals.new_worker import NewWorkerDialog

        def added(worker: WorkerInfo | None) -> None:
            if worker is not None:
                self.app.notify(
                    _("{name} added to the roster.").format(name=worker.name), markup=False
                )
                self.area, self.search = worker.kecamatan_code, ""
                self.refresh_data()

        self.app.push_screen(NewWorkerDialog(), added)

    def action_inactive(self) -> None:
        self.inactive = not self.inactive
        self.refresh_data()

    def action_focus_areas(self) -> None:
        self.query_one("#area-list", OptionList).focus()

    def action_focus_table(self) -> None:
        self.table.focus()
