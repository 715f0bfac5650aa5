"""Assign the marked cases at once, spread over each kelurahan's PSM by open caseload."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from rich.text import Text
from textual import on
from textual.widget import Widget
from textual.widgets import DataTable, Static

from psm_tui.core import bulk
from psm_tui.core.bulk import BulkResult, PlanItem
from psm_tui.i18n import N_, _
from psm_tui.tui.context import actor
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.messages import JobResult
from psm_tui.tui.modals.base import SAVE_GROUP, Dialog
from psm_tui.tui.text import plain
from psm_tui.tui.widgets.fitted_table import WHOLE, FittedTable


class BulkAssignDialog(Dialog[BulkResult]):
    SAVE_LABEL = N_("Assign all")

    class Planned(JobResult):
        def __init__(self, plan: list[PlanItem]) -> None:
            super().__init__()
            self.plan = plan

    def __init__(self, numbers: list[str]) -> None:
        super().__init__()
        self.numbers = numbers
        self.plan: list[PlanItem] = []

    def heading(self) -> str:
        return _("Assign {count} marked cases").format(count=len(self.numbers))

    def body(self) -> Iterable[Widget]:
        table = FittedTable(cursor_type="row", id="plan")
        table.fitted_columns((_("Case"), WHOLE), (_("To"), 8), (_("Why"), 8))
        yield table
        yield Static(
            _(
                "Each case goes to the PSM of its kelurahan with the fewest open cases, "
                "counting this batch; ctrl+s assigns them all."
            ),
            classes="hint",
        )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.loading = True
        table.focus()
        self.begin_saving()  # ctrl+s waits for the plan
        self._plan(self.numbers)

    @db_worker(group=SAVE_GROUP, exclusive=True)
    def _plan(self, numbers: list[str]) -> Planned:
        return self.Planned(bulk.plan(numbers))

    @on(Planned)
    def _planned(self, message: Planned) -> None:
        self.saving = False
        self.plan = plan = message.plan
        table = self.query_one(DataTable)
        table.loading = False
        for item in plan:
            table.add_row(
                Text(item.number),
                plain(item.worker_name, single_line=True),
                plain(item.reason, single_line=True),
            )

    def save(self) -> None:
        if self.plan:
            self.submit(partial(bulk.bulk_assign, actor(self), self.numbers))
