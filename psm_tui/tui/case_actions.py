"""The case keys a, f, s, c, p, shared by the case list and the case detail: open the dialog,
then tell the user what happened and refresh."""

from __future__ import annotations

from typing import TYPE_CHECKING

from psm_tui.core.assignment import not_assignable
from psm_tui.core.bulk import BulkResult
from psm_tui.core.dto import AssignResult, CaseDetail, CaseSummary, FollowUpInfo
from psm_tui.core.labels import priority_label, status_label
from psm_tui.i18n import _, format_date
from psm_tui.tui.context import actor
from psm_tui.tui.text import clean

if TYPE_CHECKING:
    from textual.app import App


class CaseActions:
    """Mixin: the host gives ``selected_case()`` and ``after_change()``."""

    app: App[object]

    def selected_case(self) -> CaseSummary | None:
        raise NotImplementedError

    def marked_numbers(self) -> list[str]:
        return []

    def after_change(self, number: str | None = None) -> None:
        raise NotImplementedError

    def after_bulk(self) -> None:
        self.after_change()

    def _case(self) -> CaseSummary | None:
        summary = self.selected_case()
        if summary is None:
            self.app.notify(_("No case selected (or it is still loading)."), severity="warning")
        return summary

    def _tell(self, message: str) -> None:
        self.app.notify(message, markup=False)

    def action_assign(self) -> None:
        from psm_tui.tui.modals.assign import AssignDialog
        from psm_tui.tui.modals.bulk_assign import BulkAssignDialog

        marked = self.marked_numbers()
        if marked:
            self.app.push_screen(BulkAssignDialog(marked), self._bulk_done)
        elif (case := self._case()) is not None:
            refused = not_assignable(actor(self.app), case.number, case.status)
            if refused:
                self.app.notify(refused, severity="warning", markup=False)
            else:
                self.app.push_screen(AssignDialog(case), self._assigned)

    def _assigned(self, result: AssignResult | None) -> None:
        if result is not None:
            self._tell(
                _("{number} assigned to {name}: {reason}").format(
                    number=result.case.number,
                    name=clean(result.worker.name, single_line=True),
                    reason=clean(result.reason, single_line=True),
                )
            )
            self.after_change(result.case.number)

    def _bulk_done(self, result: BulkResult | None) -> None:
        if result is None:
            return
        message = _("{done} cases assigned.").format(done=len(result.assigned))
        if result.failed:
            number, why = result.failed[0]
            message += " " + _("{n} not assigned, e.g. {number}: {why}").format(
                n=len(result.failed), number=number, why=clean(why, single_line=True)
            )
        self._tell(message)
        self.after_bulk()

    def action_followup(self) -> None:
        from psm_tui.tui.modals.followup import FollowUpDialog

        if (case := self._case()) is not None:
            self.app.push_screen(FollowUpDialog(case), self._followup_done)

    def _followup_done(self, result: FollowUpInfo | None) -> None:
        if result is not None:
            self._tell(
                _("Follow-up sent to {opd}, due {due}.").format(
                    opd=result.opd_name, due=format_date(result.due_on)
                )
            )
            self.after_change(result.case_number)

    def action_status(self) -> None:
        from psm_tui.tui.modals.status import StatusDialog

        if (case := self._case()) is not None:
            self.app.push_screen(StatusDialog(case), self._changed_status)

    def _changed_status(self, result: CaseDetail | None) -> None:
        if result is not None:
            self._tell(
                _("{number} is now {status}.").format(
                    number=result.number, status=status_label(result.summary.status)
                )
            )
            self.after_change(result.number)

    def action_note(self) -> None:
        from psm_tui.tui.modals.note import NoteDialog

        if (case := self._case()) is not None:
            self.app.push_screen(NoteDialog(case), self._noted)

    def _noted(self, result: CaseDetail | None) -> None:
        if result is not None:
            self._tell(_("Note added to {number}.").format(number=result.number))
            self.after_change(result.number)

    def action_priority(self) -> None:
        from psm_tui.tui.modals.priority import PriorityDialog

        if (case := self._case()) is not None:
            self.app.push_screen(PriorityDialog(case), self._prioritised)

    def _prioritised(self, result: CaseDetail | None) -> None:
        if result is not None:
            self._tell(
                _("{number}: priority {priority}.").format(
                    number=result.number, priority=priority_label(result.summary.priority)
                )
            )
            self.after_change(result.number)
