"""Export the monthly report from the Laporan view (key e there): the same export as
``psm export report``, written through the session's file rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from textual.widget import Widget
from textual.widgets import Checkbox

from psm_tui.core import clock, reports
from psm_tui.core.errors import ValidationError
from psm_tui.core.files.access import output_for
from psm_tui.core.files.output import StdoutOutput
from psm_tui.core.reports import ReportScope
from psm_tui.i18n import N_, _
from psm_tui.presentation.exports import ExportRequest, ExportResult, format_for, run_export
from psm_tui.tui.context import actor, boundary, settings
from psm_tui.tui.modals.base import Dialog
from psm_tui.tui.widgets.inputs import TextInput


def report_month(scope: ReportScope, today: dt.date) -> dt.date:
    """The month a period names exactly, else the last complete month."""
    start, end = scope.date_from, scope.date_to
    if start and end and start.day == 1 and end == reports.month_end(start):
        return start
    return reports.add_months(today.replace(day=1), -1)


class ExportDialog(Dialog[ExportResult]):
    """The monthly report of the view's kecamatan, as a workbook (or CSV by the file name)."""

    SAVE_LABEL = N_("Export")

    def __init__(self, scope: ReportScope) -> None:
        super().__init__()
        self.scope = scope

    def heading(self) -> str:
        return _("Export the monthly report")

    def body(self) -> Iterable[Widget]:
        month = report_month(self.scope, clock.today())
        name = f"psm-laporan-{month:%Y-%m}.xlsx"
        # Over SSH a plain name: the file goes to the person's outbox on the server.
        path = name if boundary(self).remote else str(Path.home() / name)
        yield self.field(_("Month"), TextInput(f"{month:%Y-%m}", id="month", placeholder="YYYY-MM"))
        yield self.field(_("File"), TextInput(path, id="file"))
        if not boundary(self).remote:  # the outbox replaces its own files
            yield Checkbox(_("Replace the file if it exists"), id="replace", compact=True)

    def on_mount(self) -> None:
        self.query_one("#month", TextInput).focus()

    def save(self) -> None:
        month_text = self.query_one("#month", TextInput).value
        output = self.query_one("#file", TextInput).value.strip()
        if not output:
            self.show_error(_("Give the file to write."))
            return
        config, who, kecamatan = settings(self), actor(self), self.scope.kecamatan
        rules = boundary(self)
        force = not rules.remote and self.query_one("#replace", Checkbox).value

        def job() -> ExportResult:
            request = ExportRequest(
                "report",
                format_for(output, None),
                month=reports.parse_month(month_text),
                kecamatan=kecamatan,
            )
            destination = output_for(rules, output, force=force)
            if isinstance(destination, StdoutOutput):  # "-" would write over the screen
                raise ValidationError(_("Give the file to write."))
            return run_export(
                who,
                request,
                destination,
                incentive_rates=config.incentive_rates,
                incentive_amount=config.incentive_amount,
                threshold=config.overload_threshold,
            )

        self.submit(job)
