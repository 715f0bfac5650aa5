"""Assign one case: the candidates of its kelurahan with their caseload, then the kecamatan's,
then the TKSK. ``enter`` gives it to the highlighted one; ``A`` auto-assigns and says why."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import DataTable, Static

from psm_tui.core import assignment
from psm_tui.core.dto import AssignResult, Candidate, CaseSummary
from psm_tui.i18n import N_, _
from psm_tui.tui.context import actor
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.messages import JobResult
from psm_tui.tui.modals.base import SAVE_GROUP, Dialog
from psm_tui.tui.text import plain
from psm_tui.tui.widgets.fitted_table import WHOLE, FittedTable


def tier_text(tier: str) -> str:
    return {"kelurahan": _("kelurahan"), "kecamatan": _("kecamatan"), "tksk": "TKSK"}.get(
        tier, tier
    )


class AssignDialog(Dialog[AssignResult]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("A", "auto", N_("Auto-assign"), id="assign.auto"),
    ]
    SAVE_LABEL = N_("Assign")

    class Listed(JobResult):
        def __init__(self, candidates: list[Candidate]) -> None:
            super().__init__()
            self.candidates = candidates

    def __init__(self, case: CaseSummary) -> None:
        super().__init__()
        self.case = case
        self.candidates: list[Candidate] = []

    def heading(self) -> str:
        return _("Assign case {number}").format(number=self.case.number)

    def body(self) -> Iterable[Widget]:
        holder = self.case.worker.name if self.case.worker else "-"
        yield Static(
            plain(
                _("{client} · {kelurahan} · now: {holder}").format(
                    client=self.case.client_name, kelurahan=self.case.kelurahan.label, holder=holder
                ),
                single_line=True,
            ),
            classes="dialog-summary",
        )
        table = FittedTable(cursor_type="row", id="candidates")
        table.fitted_columns((_("Name"), 10), (_("Where"), 8), (_("Open"), WHOLE), (_("Tier"), 5))
        yield table
        yield Static(
            _("enter: give to the highlighted · A: auto-assign (fewest open cases)"), classes="hint"
        )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.loading = True
        table.focus()
        self.begin_saving()  # keys wait for the list
        self._list(self.case.number)

    @db_worker(group=SAVE_GROUP, exclusive=True)
    def _list(self, number: str) -> Listed:
        return self.Listed(assignment.candidates(number))

    @on(Listed)
    def _listed(self, message: Listed) -> None:
        self.saving = False
        self.candidates = candidates = message.candidates
        table = self.query_one(DataTable)
        table.loading = False
        for candidate in candidates:
            worker = candidate.worker
            where = worker.kelurahan_name or worker.kecamatan_name
            current = self.case.worker is not None and self.case.worker.id == worker.id
            table.add_row(
                plain(worker.name + (" *" if current else ""), single_line=True),
                plain(where),
                Text(str(worker.open_cases), justify="right"),
                Text(tier_text(candidate.tier)),
            )
        if not candidates:
            self.show_error(_("No active PSM or TKSK in this kecamatan."))

    def save(self) -> None:
        table = self.query_one(DataTable)
        if not self.candidates:
            return
        worker = self.candidates[table.cursor_row].worker
        self.submit(
            partial(
                assignment.assign_case,
                actor(self),
                self.case.number,
                worker_id=worker.id,
                expected_version=self.case.version,
            )
        )

    def action_auto(self) -> None:
        if not self.saving:
            self.submit(
                partial(
                    assignment.assign_case,
                    actor(self),
                    self.case.number,
                    auto=True,
                    expected_version=self.case.version,
                )
            )

    @on(DataTable.RowSelected)
    def _worker_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_save()
