"""Add a note, home visit or call to a case's timeline."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.widget import Widget
from textual.widgets import Select

from psm_tui.core import cases
from psm_tui.core.dto import CaseDetail, CaseSummary
from psm_tui.core.labels import NOTE_KINDS, activity_label
from psm_tui.i18n import _
from psm_tui.tui.context import actor
from psm_tui.tui.modals.base import Dialog
from psm_tui.tui.widgets.inputs import TextBox, TypeSelect


class NoteDialog(Dialog[CaseDetail]):
    def __init__(self, case: CaseSummary) -> None:
        super().__init__()
        self.case = case

    def heading(self) -> str:
        return _("Note on case {number}").format(number=self.case.number)

    def body(self) -> Iterable[Widget]:
        kinds = [(activity_label(k), k) for k in NOTE_KINDS]
        yield self.field(
            _("Kind"), TypeSelect(kinds, value="catatan", allow_blank=False, id="kind")
        )
        yield TextBox(id="text", soft_wrap=True)

    def on_mount(self) -> None:
        self.query_one("#text", TextBox).focus()

    def save(self) -> None:
        text = self.query_one("#text", TextBox).text
        if not text.strip():
            self.show_error(_("Write the note first."))
            return
        kind = str(self.query_one("#kind", Select).value)
        self.submit(partial(cases.add_note, actor(self), self.case.number, text, kind))
