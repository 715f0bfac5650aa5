"""One worker's profile: where they serve, caseload, activity, incentive months, training, IPSM,
bank details (masked below supervisor, as :mod:`psm_tui.core.bank` decides).

``b`` corrects the bank details, ``t`` records a training, ``m`` moves a PSM to another
kelurahan and ``x`` deactivates; both of the last two hand the open cases over in the same step
and then show where each case went.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from psm_tui.core import clock, ipsm, roster
from psm_tui.core.bank import BankDetails, bank_details
from psm_tui.core.dto import Actor, WorkerInfo
from psm_tui.core.labels import priority_label, status_label
from psm_tui.core.roster import RosterChange, WorkerProfile
from psm_tui.core.training import TrainingDetail
from psm_tui.i18n import N_, _, format_date, format_datetime, ngettext
from psm_tui.tui.context import actor, psm_app
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.keys import TranslatedScreen
from psm_tui.tui.messages import JobResult, OpenCase
from psm_tui.tui.text import clean, plain
from psm_tui.tui.widgets.fitted_table import WHOLE, FittedTable
from psm_tui.tui.widgets.key_footer import KeyFooter


def bank_line(bank: BankDetails | None) -> str:
    """Where the incentive is paid, as far as the reader may see it."""
    if bank is None:
        return _("Bank: reading…")
    if bank.empty:
        return _("Bank: not recorded")
    parts = [bank.bank or "-", bank.account or "-"]
    if not bank.masked:
        parts.append(_("holder {name}").format(name=bank.holder or "-"))
    return _("Bank: {details}").format(details=" · ".join(parts))


def profile_lines(data: WorkerProfile, bank: BankDetails | None = None) -> Text:
    """The profile as plain text lines (stored text never becomes markup)."""
    w = data.worker
    where = (
        f"Kel. {w.kelurahan_name}, Kec. {w.kecamatan_name}"
        if w.kelurahan_name
        else f"TKSK, Kec. {w.kecamatan_name}"
    )
    lines = [
        f"{where} · {w.phone or '-'} · " + _("joined {date}").format(date=format_date(w.joined_on)),
        _("active")
        if w.active
        else _("inactive since {date}: {reason}").format(
            date=format_date(data.inactive_on), reason=w.inactive_reason or "-"
        ),
        _("{open} open cases · {past} past · last activity {when}").format(
            open=len(data.open_cases),
            past=data.past_case_count,
            when=format_datetime(data.last_activity),
        ),
        ngettext(
            "{count} incentive month (a note, visit or call in the month)",
            "{count} incentive months (a note, visit or call in the month)",
            len(data.active_months),
        ).format(count=len(data.active_months)),
        bank_line(bank),
    ]
    if data.trainings:
        last = data.trainings[0]
        lines.append(
            _("{count} trainings; last {date}: {topic}").format(
                count=len(data.trainings), date=format_date(last.held_on), topic=last.topic
            )
        )
    else:
        lines.append(_("never trained"))
    current = [p for p in data.positions if p.end_on is None or p.end_on >= clock.today()]
    for p in current:
        lines.append(
            _("IPSM: {position}, {unit}").format(
                position=ipsm.position_label(p.position), unit=p.unit_name
            )
        )
    return Text(
        "\n".join(clean(line, single_line=True) for line in lines),
        no_wrap=True,
        overflow="ellipsis",
    )


class WorkerProfileScreen(TranslatedScreen, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="profile.back"),
        Binding("b", "bank", N_("Bank"), id="profile.bank"),
        Binding("t", "training", N_("Training"), id="profile.training"),
        Binding("m", "move", N_("Move"), id="profile.move"),
        Binding("x", "deactivate", N_("Deactivate"), id="profile.deactivate"),
    ]

    class Read(JobResult):
        def __init__(self, profile: WorkerProfile, bank: BankDetails | None) -> None:
            super().__init__()
            self.profile = profile
            self.bank = bank

    def __init__(self, worker_id: int) -> None:
        super().__init__()
        self.worker_id = worker_id
        self.data: WorkerProfile | None = None
        self.bank: BankDetails | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="profile"):
            yield Label("", id="profile-title", classes="section")
            yield Static("", id="profile-lines")
            yield Label(_("Open cases (enter opens)"), classes="section")
            table = FittedTable(cursor_type="row", id="profile-cases")
            table.fitted_columns(
                (_("Number"), WHOLE), (_("Status"), 6), (_("Priority"), 6), (_("Client"), 8)
            )
            yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#profile-cases", DataTable).focus()
        self._read(actor(self), with_bank=True)

    def refresh_data(self) -> None:
        """The bank details are kept: a supervisor's full view of them is audited, once per
        opening (and after a change), not on every refresh."""
        self._read(actor(self), with_bank=self.bank is None)

    @db_worker(group="profile", exclusive=True)
    def _read(self, who: Actor, *, with_bank: bool) -> Read:
        bank = bank_details(who, self.worker_id) if with_bank else None
        return self.Read(roster.profile(who, self.worker_id), bank)

    @on(Read)
    def _show(self, message: Read) -> None:
        self.data = data = message.profile
        self.bank = message.bank or self.bank
        kind = "TKSK" if data.worker.kind == "tksk" else "PSM"
        self.query_one("#profile-title", Label).update(
            plain(f"{kind} {data.worker.name} ({data.worker.id})", single_line=True)
        )
        self.query_one("#profile-lines", Static).update(profile_lines(data, self.bank))
        table = self.query_one("#profile-cases", DataTable)
        row = table.cursor_row
        table.clear()
        for case in data.open_cases:
            table.add_row(
                Text(case.number),
                Text(status_label(case.status)),
                Text(priority_label(case.priority)),
                plain(case.client_name, single_line=True),
                key=case.number,
            )
        table.move_cursor(row=row)

    @on(DataTable.RowSelected, "#profile-cases")
    def _open_case(self, event: DataTable.RowSelected) -> None:
        self.post_message(OpenCase(str(event.row_key.value)))

    def action_back(self) -> None:
        self.app.pop_screen()

    def _worker(self) -> WorkerInfo | None:
        if self.data is None:
            self.app.notify(_("Still loading."), severity="warning")
            return None
        return self.data.worker

    def action_bank(self) -> None:
        from psm_tui.tui.modals.bank import BankDialog

        worker = self._worker()
        if worker is not None and self.bank is not None:
            self.app.push_screen(BankDialog(worker, self.bank), self._bank_saved)

    def _bank_saved(self, worker: WorkerInfo | None) -> None:
        if worker is not None:
            self.app.notify(
                _("Bank details of {name} saved").format(name=worker.name), markup=False
            )
            self._read(actor(self), with_bank=True)

    def action_training(self) -> None:
        from psm_tui.tui.modals.roster import TrainingDialog

        if (worker := self._worker()) is not None:
            self.app.push_screen(TrainingDialog(worker), self._trained)

    def _trained(self, result: TrainingDetail | None) -> None:
        if result is not None:
            self.app.notify(
                ngettext(
                    "Training recorded for {count} worker",
                    "Training recorded for {count} workers",
                    result.training.attendees,
                ).format(count=result.training.attendees)
            )
            psm_app(self).refresh_data()

    def action_move(self) -> None:
        from psm_tui.tui.modals.roster import MoveDialog

        worker = self._worker()
        if worker is None:
            return
        if worker.kind != "psm" or not worker.active:
            self.app.notify(
                _("Only an active PSM can move to another kelurahan."), severity="warning"
            )
            return
        self.app.push_screen(MoveDialog(worker), self._moved)

    def _moved(self, change: RosterChange | None) -> None:
        if change is not None:
            w = change.worker
            self._report(
                _("{name} now serves Kel. {kel}, Kec. {kec}").format(
                    name=w.name, kel=w.kelurahan_name, kec=w.kecamatan_name
                ),
                change,
            )

    def action_deactivate(self) -> None:
        from psm_tui.tui.modals.roster import DeactivateDialog

        worker = self._worker()
        if worker is None:
            return
        if not worker.active:
            self.app.notify(
                _("{name} is already inactive.").format(name=worker.name),
                severity="warning",
                markup=False,
            )
            return
        self.app.push_screen(DeactivateDialog(worker), self._deactivated)

    def _deactivated(self, change: RosterChange | None) -> None:
        if change is not None:
            self._report(_("{name} is now inactive").format(name=change.worker.name), change)

    def _report(self, headline: str, change: RosterChange) -> None:
        from psm_tui.tui.modals.roster import HandoverReport

        psm_app(self).refresh_data()
        self.app.push_screen(HandoverReport(headline, change))
