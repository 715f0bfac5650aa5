"""A month's PSM incentive from the Laporan view (key i there): its status (not prepared,
prepared, paid out with the day and who), prepare it (ctrl+s) and record that it was paid out
(ctrl+o). The core decides who may and refuses a second payout; its message shows here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, Static

from psm_tui.core import clock, incentive, reports
from psm_tui.core.errors import PsmError
from psm_tui.core.incentive import Payout
from psm_tui.core.validation import parse_date
from psm_tui.i18n import N_, _, format_date, format_datetime, format_rupiah
from psm_tui.tui.context import actor, settings
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.messages import JobResult
from psm_tui.tui.modals.base import Dialog
from psm_tui.tui.text import plain
from psm_tui.tui.widgets.inputs import TextInput


def payout_status(month: dt.date, payout: Payout | None) -> str:
    """One line: where the month's incentive stands."""
    label = f"{month:%Y-%m}"
    if payout is None:
        return _("{month}: not prepared").format(month=label)
    figures = _("{count} PSM, {amount}").format(
        count=payout.psm, amount=format_rupiah(payout.amount)
    )
    if payout.status == "paid":
        return _("{month}: paid out on {date} by {user}; {figures}").format(
            month=label, date=format_date(payout.paid_on), user=payout.paid_by, figures=figures
        )
    return _("{month}: prepared {when} by {user}; {figures}").format(
        month=label,
        when=format_datetime(payout.prepared_at),
        user=payout.prepared_by,
        figures=figures,
    )


class IncentiveDialog(Dialog[Payout]):
    SAVE_LABEL = N_("Prepare")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "pay", N_("Paid out"), id="incentive.pay"),
    ]

    class StatusRead(JobResult):
        def __init__(self, month: dt.date | None, payout: Payout | None) -> None:
            super().__init__()
            self.month = month
            self.payout = payout

    def heading(self) -> str:
        return _("PSM incentive")

    def body(self) -> Iterable[Widget]:
        month = reports.parse_month(None)
        yield self.field(_("Month"), TextInput(f"{month:%Y-%m}", id="month", placeholder="YYYY-MM"))
        yield Static("", id="incentive-status")
        yield self.field(
            _("Paid on"),
            TextInput(clock.today().isoformat(), id="paid-on", placeholder="YYYY-MM-DD"),
        )
        with Horizontal(classes="dialog-buttons"):
            yield Button(_("Paid out") + " (ctrl+o)", id="pay", compact=True)

    def on_mount(self) -> None:
        self.query_one("#month", TextInput).focus()
        self._read_status(self.query_one("#month", TextInput).value)

    @on(TextInput.Changed, "#month")
    def _month_changed(self, event: TextInput.Changed) -> None:
        self._read_status(event.value)

    @db_worker(group="incentive-status", exclusive=True)
    def _read_status(self, text: str) -> StatusRead:
        try:
            month: dt.date | None = reports.parse_month(text or "-")
        except PsmError:  # still being typed: no status yet
            month = None
        return self.StatusRead(month, incentive.payout_for(month) if month else None)

    @on(StatusRead)
    def _show_status(self, message: StatusRead) -> None:
        line = payout_status(message.month, message.payout) if message.month else ""
        self.query_one("#incentive-status", Static).update(plain(line))

    def _month(self) -> dt.date | None:
        try:
            return reports.parse_month(self.query_one("#month", TextInput).value or "-")
        except PsmError as error:
            self.show_error(str(error))
            return None

    def save(self) -> None:
        month, config = self._month(), settings(self)
        if month is not None:
            self.submit(
                partial(
                    incentive.prepare_month,
                    actor(self),
                    month,
                    rates=config.incentive_rates,
                    amount=config.incentive_amount,
                    rule=config.incentive_rule,
                )
            )

    def action_pay(self) -> None:
        if self.saving or (month := self._month()) is None:
            return
        try:
            paid_on = parse_date(self.query_one("#paid-on", TextInput).value, "paid_on")
        except PsmError as error:
            self.show_error(str(error))
            return
        self.submit(partial(incentive.pay_out, actor(self), month, paid_on))

    @on(Button.Pressed, "#pay")
    def _pay_pressed(self) -> None:
        self.action_pay()
