"""PSM administration dialogs: record a training, move a PSM, deactivate a worker.

A move or a deactivation hands the worker's open cases over in the same service call: to the
fewest-loaded candidate of each case's kelurahan (auto), or to one chosen colleague. The result,
case by case, is shown afterwards in :class:`HandoverReport`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import ClassVar, TypedDict

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Label, Select, Static

from psm_tui.core import clock, roster, training
from psm_tui.core.dto import WorkerInfo
from psm_tui.core.roster import RosterChange
from psm_tui.core.training import TrainingDetail
from psm_tui.core.workers import WorkerFilter, list_workers
from psm_tui.i18n import N_, _, ngettext
from psm_tui.tui.context import actor
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.keys import TranslatedScreen
from psm_tui.tui.messages import JobResult
from psm_tui.tui.modals.base import Dialog
from psm_tui.tui.text import clean, fit, plain
from psm_tui.tui.widgets.fitted_table import WHOLE, FittedTable
from psm_tui.tui.widgets.inputs import TextInput
from psm_tui.tui.widgets.kelurahan_picker import KelurahanPicker

AUTO = "auto"
DEFAULT_ORGANISER = "Dinas Sosial Kota Tangerang"


class TrainingDialog(Dialog[TrainingDetail]):
    """One training session: for this worker, or for every active worker of their kecamatan."""

    def __init__(self, worker: WorkerInfo) -> None:
        super().__init__()
        self.worker = worker

    def heading(self) -> str:
        return _("Record a training")

    def body(self) -> Iterable[Widget]:
        who = [
            (_("Only {name}").format(name=self.worker.name), "one"),
            (_("All active workers of Kec. {kec}").format(kec=self.worker.kecamatan_name), "kec"),
        ]
        yield self.field(
            _("Date"), TextInput(clock.today().isoformat(), id="held_on", placeholder="YYYY-MM-DD")
        )
        yield self.field(_("Topic"), TextInput(id="topic", placeholder=_("what was taught")))
        yield self.field(_("Organiser"), TextInput(DEFAULT_ORGANISER, id="organiser"))
        yield self.field(_("Hours"), TextInput(id="hours", placeholder="6"))
        yield self.field(
            _("Who"), Select(who, value="one", allow_blank=False, id="who", compact=True)
        )

    def on_mount(self) -> None:
        self.query_one("#topic", TextInput).focus()

    def save(self) -> None:
        values = {
            key: self.query_one(f"#{key}", TextInput).value
            for key in ("held_on", "topic", "organiser", "hours")
        }
        whole = self.query_one("#who", Select).value == "kec"
        self.submit(
            partial(
                training.record_training,
                actor(self),
                **values,
                worker_ids=() if whole else (self.worker.id,),
                kecamatan=self.worker.kecamatan_code if whole else None,
            )
        )


class _HandoverDialog(Dialog[RosterChange]):
    """Shared part of move and deactivate: where the open cases go (asked only if there are)."""

    SAVE_LABEL = N_("Hand over and save")

    class ColleaguesRead(JobResult):
        def __init__(self, colleagues: list[WorkerInfo]) -> None:
            super().__init__()
            self.colleagues = colleagues

    def __init__(self, worker: WorkerInfo) -> None:
        super().__init__()
        self.worker = worker
        if not worker.open_cases:
            self.SAVE_LABEL = N_("Save")

    def handover_fields(self) -> Iterable[Widget]:
        count = self.worker.open_cases
        if not count:
            yield Static(_("No open cases to hand over."), classes="dialog-summary")
            return
        yield Static(
            plain(
                ngettext(
                    "{name} holds {count} open case.",
                    "{name} holds {count} open cases.",
                    count,
                ).format(name=self.worker.name, count=count)
            ),
            classes="dialog-summary",
        )
        yield self.field(
            _("Hand over"),
            Select(self._options([]), value=AUTO, allow_blank=False, id="handover", compact=True),
        )

    def on_mount(self) -> None:
        if self.worker.open_cases:
            self._read_colleagues(WorkerFilter(kecamatan=self.worker.kecamatan_code))

    @db_worker()
    def _read_colleagues(self, filters: WorkerFilter) -> ColleaguesRead:
        return self.ColleaguesRead(list_workers(filters))

    def _options(self, colleagues: list[WorkerInfo]) -> list[tuple[Text, str]]:
        options = [(Text(_("Automatic: fewest open cases near each case")), AUTO)]
        options += [
            (
                plain(
                    _("To {name} ({place}, {count} open)").format(
                        name=w.name, place=w.kelurahan_name or "TKSK", count=w.open_cases
                    ),
                    single_line=True,
                ),
                str(w.id),
            )
            for w in colleagues
            if w.id != self.worker.id
        ]
        return options

    @on(ColleaguesRead)
    def _colleagues(self, message: ColleaguesRead) -> None:
        select = self.query_one("#handover", Select)
        select.set_options(self._options(message.colleagues))
        select.value = AUTO

    def handover(self) -> Handover:
        if not self.worker.open_cases:
            return {"auto": True}  # nothing (or only a stray new case) to hand over
        choice = self.query_one("#handover", Select).value
        if choice == AUTO or choice is Select.NULL:
            return {"auto": True}
        return {"to": [int(str(choice))]}


class Handover(TypedDict, total=False):
    """How the open cases are handed over: the ``auto`` and ``to`` of ``core.roster``."""

    auto: bool
    to: list[int]


class MoveDialog(_HandoverDialog):
    def heading(self) -> str:
        return _("Move {name} to another kelurahan").format(name=self.worker.name)

    def body(self) -> Iterable[Widget]:
        yield self.field(
            _("Now"),
            Static(plain(f"Kel. {self.worker.kelurahan_name}, Kec. {self.worker.kecamatan_name}")),
        )
        yield self.field(_("To"), KelurahanPicker(id="target"))
        yield from self.handover_fields()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#target", KelurahanPicker).focus()

    def save(self) -> None:
        target = self.query_one("#target", KelurahanPicker).pick()
        if target is None:
            self.show_error(_("Choose the kelurahan to move to."))
            return
        self.submit(
            partial(roster.move_worker, actor(self), self.worker.id, target.code, **self.handover())
        )


class DeactivateDialog(_HandoverDialog):
    def heading(self) -> str:
        return _("Deactivate {name}").format(name=self.worker.name)

    def body(self) -> Iterable[Widget]:
        yield self.field(
            _("Reason"), TextInput(id="reason", placeholder=_("e.g. moved away, resigned"))
        )
        yield from self.handover_fields()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#reason", TextInput).focus()

    def save(self) -> None:
        reason = self.query_one("#reason", TextInput).value
        self.submit(
            partial(
                roster.deactivate_worker, actor(self), self.worker.id, reason, **self.handover()
            )
        )


class HandoverReport(TranslatedScreen, ModalScreen[None]):
    """Where each open case went, and why; escape or enter closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", N_("Close"), id="handover.close"),
    ]

    def __init__(self, headline: str, change: RosterChange) -> None:
        super().__init__()
        self.headline = headline
        self.change = change

    def compose(self) -> ComposeResult:
        count = len(self.change.handed_over)
        with Vertical(classes="dialog"):
            yield Label(plain(self.headline, single_line=True), classes="dialog-title")
            yield Static(
                ngettext(
                    "{count} open case handed over.", "{count} open cases handed over.", count
                ).format(count=count)
            )
            table = FittedTable(cursor_type="row", id="handover-table")
            table.fitted_columns((_("Case"), WHOLE), (_("New worker"), 8), (_("Why"), 8))
            for item in self.change.handed_over:
                table.add_row(  # sized to fit 80 columns without a horizontal scrollbar
                    Text(item.case_number),
                    Text(fit(clean(item.worker_name, single_line=True), 18)),
                    Text(fit(clean(item.basis, single_line=True), 38)),
                )
            yield table
            yield Static(_("enter or esc: close"), classes="hint")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _row(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_close()

    def action_close(self) -> None:
        self.dismiss(None)
