"""Change a case's status: only the moves the user's role allows from the case's status; an
outcome for ``selesai``, a reason for reopening or closing before it is resolved; a warning, and
the offer to cancel them, when follow-ups are still open."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from rich.text import Text
from textual import on
from textual.widget import Widget
from textual.widgets import Checkbox, OptionList, Static
from textual.widgets.option_list import Option

from psm_tui.core import cases
from psm_tui.core.cases import ENDING, REOPEN_FROM, status_choices
from psm_tui.core.dto import CaseDetail, CaseSummary
from psm_tui.core.labels import status_label
from psm_tui.i18n import _, ngettext
from psm_tui.tui.context import actor
from psm_tui.tui.modals.base import Dialog
from psm_tui.tui.widgets.inputs import TextInput


def needs_reason(current: str, target: str) -> bool:
    reopening = current in REOPEN_FROM and target == "ditangani"
    return reopening or (target == "ditutup" and current != "selesai")


class StatusDialog(Dialog[CaseDetail]):
    def __init__(self, case: CaseSummary) -> None:
        super().__init__()
        self.case = case
        self.targets: list[str] = []

    def heading(self) -> str:
        return _("Status of case {number}: {status}").format(
            number=self.case.number, status=status_label(self.case.status)
        )

    def body(self) -> Iterable[Widget]:
        self.targets = list(status_choices(actor(self), self.case.status))
        options = OptionList(
            *[Option(Text(status_label(t)), id=t) for t in self.targets], id="targets"
        )
        yield self.field(_("New status"), options)
        yield self.field(
            _("Outcome"),
            TextInput(id="outcome", placeholder=_("required for resolved: what was achieved")),
        )
        yield self.field(
            _("Reason"),
            TextInput(id="reason", placeholder=_("required to reopen or to close unresolved")),
        )
        if self.case.status == "baru":
            yield Static(_("A new case moves on by being assigned (key a)."), classes="hint")
        if self.case.open_followups and any(t in ENDING for t in self.targets):
            yield Static(
                ngettext(
                    "This case still has {n} open follow-up.",
                    "This case still has {n} open follow-ups.",
                    self.case.open_followups,
                ).format(n=self.case.open_followups),
                id="open-followups",
                classes="dialog-warning",
            )
            yield Checkbox(
                _("Cancel them when the case is resolved or closed"),
                value=True,
                id="cancel-followups",
            )

    def on_mount(self) -> None:
        options = self.query_one("#targets", OptionList)
        options.focus()
        if self.targets:
            options.highlighted = 0

    @property
    def target(self) -> str | None:
        index = self.query_one("#targets", OptionList).highlighted
        return self.targets[index] if index is not None and self.targets else None

    @on(OptionList.OptionSelected, "#targets")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        target = self.targets[event.option_index]
        if target == "selesai":
            self.query_one("#outcome", TextInput).focus()
        elif needs_reason(self.case.status, target):
            self.query_one("#reason", TextInput).focus()
        else:
            self.action_save()

    @property
    def cancel_followups(self) -> bool:
        found = self.query("#cancel-followups")
        return bool(found) and found.first(Checkbox).value

    def save(self) -> None:
        target = self.target
        if target is None:
            self.show_error(_("This case cannot change status from here."))
            return
        outcome = self.query_one("#outcome", TextInput).value.strip()
        reason = self.query_one("#reason", TextInput).value.strip()
        if target == "selesai" and not outcome:
            self.show_error(_("A resolved case needs its outcome."))
            self.query_one("#outcome", TextInput).focus()
            return
        if needs_reason(self.case.status, target) and not reason:
            self.show_error(_("Give the reason."))
            self.query_one("#reason", TextInput).focus()
            return
        self.submit(
            partial(
                cases.change_status,
                actor(self),
                self.case.number,
                target,
                outcome=outcome or None,
                reason=reason or None,
                expected_version=self.case.version,
                cancel_followups=self.cancel_followups,
            )
        )
