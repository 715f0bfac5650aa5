"""Set a case's priority (triage)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from rich.text import Text
from textual import on
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from psm_tui.core import cases
from psm_tui.core.dto import CaseDetail, CaseSummary
from psm_tui.core.labels import PRIORITIES, priority_label
from psm_tui.i18n import _
from psm_tui.tui.context import actor
from psm_tui.tui.modals.base import Dialog


class PriorityDialog(Dialog[CaseDetail]):
    def __init__(self, case: CaseSummary) -> None:
        super().__init__()
        self.case = case

    def heading(self) -> str:
        return _("Priority of case {number}").format(number=self.case.number)

    def body(self) -> Iterable[Widget]:
        yield OptionList(
            *[Option(Text(priority_label(p)), id=p) for p in PRIORITIES], id="priorities"
        )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = PRIORITIES.index(self.case.priority)
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_save()

    def save(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is None:
            return
        self.submit(
            partial(
                cases.set_priority,
                actor(self),
                self.case.number,
                PRIORITIES[index],
                expected_version=self.case.version,
            )
        )
