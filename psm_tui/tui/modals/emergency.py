"""Akses darurat: open a case outside one's kecamatan by stating why (the reason is audited)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.widget import Widget
from textual.widgets import Static

from psm_tui.core.emergency import REASON_MIN
from psm_tui.i18n import N_, _
from psm_tui.tui.case_record import CaseRecord, read_case
from psm_tui.tui.context import actor
from psm_tui.tui.modals.base import Dialog
from psm_tui.tui.text import plain
from psm_tui.tui.widgets.inputs import TextInput


class EmergencyDialog(Dialog[CaseRecord]):
    """Dismisses with what the case screen shows (the case and its audit trail), or None."""

    SAVE_LABEL = N_("Open the case")

    def __init__(self, number: str, refusal: str) -> None:
        super().__init__()
        self.number = number
        self.refusal = refusal

    def heading(self) -> str:
        return _("Emergency access (akses darurat) to case {number}").format(number=self.number)

    def body(self) -> Iterable[Widget]:
        yield Static(plain(self.refusal), classes="hint")
        yield Static(
            plain(
                _(
                    "Your reason is written to the audit log and shown to supervisors; "
                    "the access lasts for this case until the end of today."
                )
            ),
            classes="hint",
        )
        yield self.field(_("Reason"), TextInput(id="reason"))

    def on_mount(self) -> None:
        self.query_one("#reason", TextInput).focus()

    def save(self) -> None:
        reason = self.query_one("#reason", TextInput).value
        if len(reason.strip()) < REASON_MIN:
            self.show_error(
                _("Say why you need this case (at least {count} characters)").format(
                    count=REASON_MIN
                )
            )
            return
        self.submit(partial(read_case, actor(self), self.number, first=True, emergency=reason))
