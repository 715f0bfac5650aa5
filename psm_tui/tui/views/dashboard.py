"""Ringkasan: what needs attention now, and where; enter on a line opens the matching list."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Label

from psm_tui.core import dashboard
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dashboard import Dashboard
from psm_tui.core.dto import Actor
from psm_tui.core.labels import OPEN_STATUSES, status_label
from psm_tui.i18n import N_, _, format_date, format_number
from psm_tui.tui.context import actor
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.messages import FiguresShown, JobResult, OpenCase, ShowCases
from psm_tui.tui.prefetch import Prefetch
from psm_tui.tui.text import plain
from psm_tui.tui.views.base import View
from psm_tui.tui.widgets.fitted_table import WHOLE, FittedTable


def number(value: int) -> Text:
    return Text(format_number(value), justify="right")


class DashboardView(View):
    """``first_figures``, read since start-up, are shown first (the first paint waits)."""

    # Handled by the tables and the screen, listed by the help screen.
    HELP_KEYS = (
        ("enter", N_("Open the list of the highlighted line")),
        ("tab", N_("Switch table")),
    )

    class FiguresRead(JobResult):
        def __init__(self, figures: Dashboard) -> None:
            super().__init__()
            self.figures = figures

    def __init__(
        self, first_figures: Prefetch[Dashboard] | None = None, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.first_figures = first_figures
        self.figures: Dashboard | None = None

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="dash-left"):
                yield Label(
                    _("Work queues and open cases by kecamatan"),
                    id="dash-queues-title",
                    classes="section",
                )
                queues = FittedTable(cursor_type="row", id="dash-queues")
                queues.fitted_columns((_("What"), 10), (_("Cases"), 5), (_("Unassigned"), 5))
                yield queues
            with Vertical(id="dash-right"):
                yield Label(
                    _("My queue: open cases I registered"), id="dash-mine-title", classes="section"
                )
                mine = FittedTable(cursor_type="row", id="dash-mine")
                mine.fitted_columns((_("Number"), WHOLE), (_("Client"), 5), (_("Status"), 3))
                yield mine
        yield Label(
            _("enter opens the list · tab switches table · 2 case list · ? keys"), classes="hint"
        )

    @property
    def focus_target(self) -> Widget:
        return self.query_one("#dash-queues", DataTable)

    def load(self) -> None:
        first, self.first_figures = self.first_figures, None
        if first is not None:
            first.then(self, self.FiguresRead)
        else:
            self._read(actor(self))

    @db_worker(group="dashboard", exclusive=True)
    def _read(self, who: Actor) -> FiguresRead:
        return self.FiguresRead(dashboard.figures(who))

    @on(FiguresRead)
    def _show(self, message: FiguresRead) -> None:
        self.figures = figures = message.figures
        queues = self.query_one("#dash-queues", FittedTable)
        row = queues.cursor_row
        queues.clear()
        queues.add_row(
            Text(_("Untriaged (new)")), number(figures.untriaged), Text(""), key="untriaged"
        )
        queues.add_row(
            Text(_("Open, unassigned")), number(figures.unassigned), Text(""), key="unassigned"
        )
        queues.add_row(
            Text(_("Follow-ups overdue")),
            number(figures.overdue_followups),
            Text(""),
            key="overdue",
        )
        queues.add_row(
            Text(_("Follow-ups due in 7 days")),
            number(figures.due_soon_followups),
            Text(""),
            key="due_soon",
        )
        queues.add_row(
            Text(_("All open cases"), style="bold"),
            number(figures.open_cases),
            number(figures.unassigned),
            key="open",
        )
        for area in figures.by_kecamatan:
            queues.add_row(
                Text("  " + _("Kec. {name}").format(name=area.name)),
                number(area.open),
                number(area.unassigned),
                key=f"kec:{area.code}",
            )
        self._emergency_rows(queues, figures)
        queues.move_cursor(row=row)
        queues.fit_now()
        if figures.scope and figures.by_kecamatan:
            self.query_one("#dash-queues-title", Label).update(
                plain(
                    _("Kec. {name} (your scope): work queues and open cases").format(
                        name=figures.by_kecamatan[0].name
                    )
                )
            )
        mine = self.query_one("#dash-mine", FittedTable)
        row = mine.cursor_row
        mine.clear()
        for case in figures.my_queue:
            mine.add_row(
                Text(case.number),
                plain(case.client_name, single_line=True),
                Text(status_label(case.status)),
                key=case.number,
            )
        mine.move_cursor(row=row)
        mine.fit_now()
        self.query_one("#dash-mine-title", Label).update(
            _("My queue: open cases I registered ({shown} of {total})").format(
                shown=len(figures.my_queue), total=figures.my_queue_total
            )
        )
        self.post_message(FiguresShown())

    def _emergency_rows(self, queues: FittedTable, figures: Dashboard) -> None:
        """For supervisors: the week's emergency accesses (who opened which case, and why)."""
        if not figures.emergency:
            return
        queues.add_row(
            Text(_("Emergency accesses, 7 days"), style="bold"),
            number(len(figures.emergency)),
            Text(""),
            key="emergency",
        )
        for grant in figures.emergency:
            line = f"  {grant.case_number} {grant.username}: {grant.reason}"
            queues.add_row(
                plain(line, single_line=True),
                Text(format_date(grant.granted_at)),
                Text(""),
                key=f"case:{grant.case_number}",
            )

    @on(DataTable.RowSelected, "#dash-queues")
    async def _queue_chosen(self, event: DataTable.RowSelected) -> None:
        key = str(event.row_key.value)
        if key.startswith("case:"):
            self.post_message(OpenCase(key[5:]))
            return
        if key in ("overdue", "due_soon"):
            from psm_tui.tui.screens.main import MainScreen  # imports this module

            main = self.screen
            assert isinstance(main, MainScreen)
            await main.show_followups(key)
            return
        filters = {
            "untriaged": CaseFilter(status=("baru",)),
            "unassigned": dashboard.unassigned_filter(),
            "open": CaseFilter(status=OPEN_STATUSES),
        }.get(key)
        if filters is None and key.startswith("kec:"):
            filters = CaseFilter(status=OPEN_STATUSES, kecamatan=key[4:])
        if filters is not None:
            self.post_message(ShowCases(filters))

    @on(DataTable.RowSelected, "#dash-mine")
    def _case_chosen(self, event: DataTable.RowSelected) -> None:
        self.post_message(OpenCase(str(event.row_key.value)))
