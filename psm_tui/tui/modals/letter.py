"""Print from the case detail (key l): a follow-up's referral letter or the case summary, as a
numbered PDF written through the session's file rules, as ``psm letter`` and ``psm case print``
do."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from textual.widget import Widget
from textual.widgets import Checkbox, Select

from psm_tui.core.dto import CaseDetail
from psm_tui.core.errors import ValidationError
from psm_tui.core.files.access import output_for
from psm_tui.core.files.output import StdoutOutput
from psm_tui.i18n import N_, _
from psm_tui.presentation.letter_style import LetterStyle
from psm_tui.presentation.letters import write_letter
from psm_tui.tui.context import actor, boundary, settings
from psm_tui.tui.modals.base import Dialog
from psm_tui.tui.widgets.inputs import TextInput

SUMMARY = "summary"


@dataclass(frozen=True)
class LetterMade:
    number: str
    output: str


def file_name(choice: str, case_number: str) -> str:
    """``rujukan-12.pdf`` for follow-up 12, ``ringkasan-2026-000001.pdf`` for the summary."""
    return f"ringkasan-{case_number}.pdf" if choice == SUMMARY else f"rujukan-{choice}.pdf"


class LetterDialog(Dialog[LetterMade]):
    """Which document, and where to write it; the newest open follow-up comes first."""

    SAVE_LABEL = N_("Print")

    def __init__(self, detail: CaseDetail) -> None:
        super().__init__()
        self.detail = detail

    def heading(self) -> str:
        return _("Print a document for case {number}").format(number=self.detail.number)

    def _choices(self) -> list[tuple[str, str]]:
        referrals = [
            (
                _("Referral letter to {opd}: {action}").format(
                    opd=f.opd_name, action=f.action[:40]
                ),
                str(f.id),
            )
            for f in sorted(self.detail.followups, key=lambda f: (not f.due_soon, -f.id))
        ]
        return [*referrals, (_("Case summary"), SUMMARY)]

    def _path(self, choice: str) -> str:
        name = file_name(choice, self.detail.number)
        return name if boundary(self).remote else str(Path.home() / name)

    def body(self) -> Iterable[Widget]:
        choices = self._choices()
        first = choices[0][1]
        yield self.field(
            _("Document"), Select(choices, value=first, allow_blank=False, id="document")
        )
        yield self.field(_("File"), TextInput(self._path(first), id="file"))
        if not boundary(self).remote:  # the outbox replaces its own files
            yield Checkbox(_("Replace the file if it exists"), id="replace", compact=True)

    def on_mount(self) -> None:
        self.query_one("#document", Select).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.query_one("#file", TextInput).value = self._path(str(event.value))

    def save(self) -> None:
        choice = str(self.query_one("#document", Select).value)
        output = self.query_one("#file", TextInput).value.strip()
        if not output:
            self.show_error(_("Give the file to write."))
            return
        who, rules, style = actor(self), boundary(self), LetterStyle.of(settings(self))
        force = not rules.remote and self.query_one("#replace", Checkbox).value
        number = self.detail.number

        def job() -> LetterMade:
            destination = output_for(rules, output, force=force)
            if isinstance(destination, StdoutOutput):  # "-" would write over the screen
                raise ValidationError(_("Give the file to write."))
            if choice == SUMMARY:
                made = write_letter(who, "summary", destination, style, case_number=number)
            else:
                made = write_letter(who, "referral", destination, style, followup_id=int(choice))
            return LetterMade(made.number, destination.label)

        self.submit(job)
