"""Follow-ups: ask an OPD for something about a case, and record its answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial

from rich.text import Text
from textual import on
from textual.widget import Widget
from textual.widgets import OptionList, Select, Static
from textual.widgets.option_list import Option

from psm_tui.core import clock, followups, programmes
from psm_tui.core.dto import CaseSummary, FollowUpInfo, Ref
from psm_tui.core.followups import FOLLOWUP_TRANSITIONS
from psm_tui.core.labels import followup_status_label
from psm_tui.core.reference import all_opds
from psm_tui.i18n import _, format_date
from psm_tui.tui.context import actor, settings
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.messages import JobResult
from psm_tui.tui.modals.base import Dialog
from psm_tui.tui.text import plain
from psm_tui.tui.widgets.inputs import TextInput, TypeSelect


class FollowUpDialog(Dialog[FollowUpInfo]):
    """A new follow-up; the due date defaults to ``settings.followup_due_days`` from today."""

    class OpdsRead(JobResult):
        def __init__(self, opds: list[Ref]) -> None:
            super().__init__()
            self.opds = opds

    def __init__(self, case: CaseSummary) -> None:
        super().__init__()
        self.case = case

    def heading(self) -> str:
        return _("Follow-up for case {number}").format(number=self.case.number)

    def body(self) -> Iterable[Widget]:
        due = clock.today() + dt.timedelta(days=settings(self).followup_due_days)
        yield self.field(_("OPD"), TypeSelect([], prompt=_("choose the partner"), id="opd"))
        yield self.field(
            _("Request"), TextInput(id="action", placeholder=_("what the OPD is asked to do"))
        )
        yield self.field(_("Due"), TextInput(due.isoformat(), id="due", placeholder="YYYY-MM-DD"))

    def on_mount(self) -> None:
        self._read_opds()

    @db_worker()
    def _read_opds(self) -> OpdsRead:
        return self.OpdsRead(all_opds())

    @on(OpdsRead)
    def _opds(self, message: OpdsRead) -> None:
        select = self.query_one("#opd", Select)
        select.set_options([(f"{o.name} ({o.code})", o.code) for o in message.opds])
        select.focus()

    def save(self) -> None:
        opd = self.query_one("#opd", Select).value
        if opd is Select.NULL:
            self.show_error(_("Choose the OPD."))
            return
        action = self.query_one("#action", TextInput).value
        due = self.query_one("#due", TextInput).value
        self.submit(
            partial(
                followups.create_followup,
                actor(self),
                self.case.number,
                opd=str(opd),
                action=action,
                due=due or None,
                default_days=settings(self).followup_due_days,
            )
        )


class FollowUpStatusDialog(Dialog[FollowUpInfo]):
    """Record the OPD's answer: accepted, done, rejected (with its reason) or cancelled; and,
    when the answer is that the client now receives a programme, that enrolment."""

    class ProgrammesRead(JobResult):
        def __init__(self, programmes: list[Ref]) -> None:
            super().__init__()
            self.programmes = programmes

    def __init__(self, followup: FollowUpInfo) -> None:
        super().__init__()
        self.followup = followup
        self.targets = list(FOLLOWUP_TRANSITIONS.get(followup.status, ()))

    def heading(self) -> str:
        return _("Follow-up {id} ({opd}) of case {number}").format(
            id=self.followup.id, opd=self.followup.opd_name, number=self.followup.case_number
        )

    def body(self) -> Iterable[Widget]:
        yield Static(
            plain(
                _("{status}, due {due}: {action}").format(
                    status=followup_status_label(self.followup.status),
                    due=format_date(self.followup.due_on),
                    action=self.followup.action,
                ),
                single_line=True,
            ),
            classes="dialog-summary",
        )
        yield self.field(
            _("New status"),
            OptionList(
                *[Option(Text(followup_status_label(t)), id=t) for t in self.targets], id="targets"
            ),
        )
        yield self.field(
            _("Response"),
            TextInput(id="response", placeholder=_("the OPD's answer (required when rejected)")),
        )
        yield self.field(
            _("Programme"),
            TypeSelect([], prompt=_("none: no programme received"), id="programme"),
        )

    def on_mount(self) -> None:
        options = self.query_one("#targets", OptionList)
        if self.targets:
            options.highlighted = 0
            options.focus()
        else:
            self.show_error(_("This follow-up is finished."))
        self._read_programmes()

    @db_worker()
    def _read_programmes(self) -> ProgrammesRead:
        return self.ProgrammesRead(programmes.all_programmes())

    @on(ProgrammesRead)
    def _programmes(self, message: ProgrammesRead) -> None:
        self.query_one("#programme", Select).set_options(
            [(f"{p.code}: {p.name}", p.code) for p in message.programmes]
        )

    @on(OptionList.OptionSelected, "#targets")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#response", TextInput).focus()

    def save(self) -> None:
        index = self.query_one("#targets", OptionList).highlighted
        if index is None or not self.targets:
            return
        response = self.query_one("#response", TextInput).value
        programme = self.query_one("#programme", Select).value
        self.submit(
            partial(
                followups.answer_followup,
                actor(self),
                self.followup.id,
                self.targets[index],
                response=response or None,
                programme=None if programme is Select.NULL else str(programme),
            )
        )
