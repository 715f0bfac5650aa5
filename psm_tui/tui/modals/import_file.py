"""Import workers or cases from a CSV/XLSX file: check first, then import, with a progress bar.

ctrl+s first checks the file (a dry run: the first rows as read, and every refused row with its
column and reason); pressed again on the same file and options, it imports. Both run in a thread
worker through the same service as ``psm import``; the progress bar follows the rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Input, ProgressBar, Select, Static

from psm_tui.core.dto import Actor
from psm_tui.core.errors import ValidationError
from psm_tui.core.files.access import open_input, output_for
from psm_tui.core.files.boundary import STDIO, Boundary
from psm_tui.core.imports import run as importing
from psm_tui.core.imports.run import ImportResult
from psm_tui.core.outbox import fetch_hint
from psm_tui.i18n import N_, _, format_number
from psm_tui.tui.context import actor, boundary
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.messages import DataChanged, JobResult
from psm_tui.tui.modals.base import SAVE_GROUP, Dialog
from psm_tui.tui.text import clean, plain
from psm_tui.tui.widgets.fitted_table import FittedTable
from psm_tui.tui.widgets.inputs import TextInput

SHOWN_REFUSALS = 200
CELL_WIDTH = 24

Params = tuple[str, str, bool, str]


class ImportDialog(Dialog[ImportResult]):
    """The import screen (reached from the command palette)."""

    DEFAULT_CSS = """
    ImportDialog .dialog { height: 100%; }
    ImportDialog #import-results { width: 100%; height: 1fr; }
    ImportDialog #import-summary { width: 100%; height: auto; margin-bottom: 1; }
    ImportDialog #import-preview { height: auto; max-height: 8; margin-bottom: 1; }
    ImportDialog #import-refusals { width: 100%; height: auto; color: $warning; }
    ImportDialog ProgressBar { height: 1; margin-top: 1; }
    """
    SAVE_LABEL = N_("Check")

    class Done(JobResult):
        """A check (dry run) or an import of the file and options ``params`` finished;
        ``written`` refused rows went to the report file ``report``."""

        def __init__(
            self, params: Params, result: ImportResult, written: int | None, report: str
        ) -> None:
            super().__init__()
            self.params = params
            self.result = result
            self.written = written
            self.report = report

    def __init__(self) -> None:
        super().__init__()
        self.checked: Params | None = None
        self.result: ImportResult | None = None
        self.finished = False

    def heading(self) -> str:
        return _("Import workers or cases from a file")

    def body(self) -> Iterable[Widget]:
        kinds = [
            (_("Cases (with their clients)"), "cases"),
            (_("Workers (PSM and TKSK)"), "workers"),
        ]
        yield self.field(
            _("Import"), Select(kinds, value="cases", allow_blank=False, id="kind", compact=True)
        )
        if boundary(self).remote:  # over SSH: names in the person's outbox, never paths
            source_hint = _("a file in your outbox (ssh dinsos outbox put NAME < NAME)")
            report_hint = _("optional: refused rows to this file in your outbox")
        else:
            source_hint = _("path to a .csv or .xlsx")
            report_hint = _("optional: refused rows to this file")
        yield self.field(_("File"), TextInput(id="path", placeholder=source_hint))
        yield self.field(_("Report"), TextInput(id="report", placeholder=report_hint))
        yield Checkbox(
            _("Import the valid rows even if others are refused"), id="skip", compact=True
        )
        with VerticalScroll(id="import-results"):
            yield Static(
                plain(_("ctrl+s checks the file; nothing is written until you import.")),
                id="import-summary",
            )
            yield FittedTable(id="import-preview", show_cursor=False, zebra_stripes=True)
            yield Static("", id="import-refusals")
        yield ProgressBar(total=100, show_eta=False, id="import-progress")

    def on_mount(self) -> None:
        self.query_one("#import-preview", DataTable).display = False
        self.query_one("#path", TextInput).focus()

    def params(self) -> Params:
        return (
            str(self.query_one("#kind", Select).value),
            self.query_one("#path", TextInput).value.strip(),
            self.query_one("#skip", Checkbox).value,
            self.query_one("#report", TextInput).value.strip(),
        )

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        """Any change of file or options asks for a new check before importing."""
        if self.checked is not None and self.params() != self.checked and not self.finished:
            self.checked = None
            self._label(_("Check"))

    def _label(self, text: str) -> None:
        button = self.query_one("#save", Button)
        button.label = text + " (ctrl+s)"
        button.refresh(layout=True)  # the label is not a layout reactive: make room for it

    def save(self) -> None:
        if self.finished:
            self.dismiss(self.result)
            return
        params = self.params()
        if not params[1]:
            self.show_error(_("Give the path of the file to import."))
            return
        self._start(params, dry_run=params != self.checked)

    def _start(self, params: Params, *, dry_run: bool) -> None:
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=100, progress=0)
        self.begin_saving()
        self._import(params, actor(self), boundary(self), bar, dry_run=dry_run)

    @db_worker(group=SAVE_GROUP, exclusive=True)
    def _import(
        self, params: Params, who: Actor, rules: Boundary, bar: ProgressBar, *, dry_run: bool
    ) -> Done:
        kind, path, skip, report = params

        def progress(done: float) -> None:
            bar.app.call_from_thread(bar.update, progress=round(done * 100))

        if path == STDIO or report == STDIO:  # standard input/output is the screen here
            raise ValidationError(_("Give a file, not -, in the app."))
        output = output_for(rules, report) if report else None
        with open_input(rules, path) as source:
            result = importing.import_file(
                who,
                kind,
                source,
                limits=rules.limits,
                dry_run=dry_run,
                skip_invalid=skip,
                progress=progress,
            )
            written = None
            if output is not None and result.refusals:
                xlsx = report.lower().endswith(".xlsx")
                written = importing.write_report(result, source, output, xlsx=xlsx)
        return self.Done(params, result, written, output.label if output else "")

    @on(Done)
    def _show(self, message: Done) -> None:
        self.saving = False
        self.result = result = message.result
        lines = [
            _("{file} ({source}): {rows} data row(s)").format(
                file=result.source,
                source=importing.source_text(result),
                rows=format_number(result.rows),
            ),
            importing.summary_text(result),
        ]
        if result.ignored_columns:
            lines.append(
                _("Columns not imported: {columns}").format(
                    columns=", ".join(result.ignored_columns)
                )
            )
        if message.written is not None:
            lines.append(
                _("{count} refused row(s) written to {path}").format(
                    count=message.written, path=message.report
                )
            )
            if boundary(self).remote:
                lines.append(fetch_hint(message.report.removeprefix("outbox/")))
        if result.dry_run:
            ready = bool(result.valid) and not result.blocked
            self.checked = message.params if ready else None
            self._label(
                _("Import {count}").format(count=format_number(result.valid))
                if ready
                else _("Check")
            )
            if result.blocked and result.valid:
                lines.append(_("Fix the refused rows, or tick the box to import the valid ones."))
        else:
            self.finished = True
            self._label(_("Close"))
            if result.imported:
                self.app.post_message(DataChanged())
        self.query_one("#import-summary", Static).update(plain("\n".join(lines)))
        self._preview(result)
        self._refusals(result)

    def _preview(self, result: ImportResult) -> None:
        table = self.query_one("#import-preview", DataTable)
        table.clear(columns=True)
        table.add_columns(Text(_("Row")), *(plain(h, single_line=True) for h in result.headers))
        for number, values in result.sample:
            cells = [clean(v, single_line=True)[:CELL_WIDTH] for v in values[: len(result.headers)]]
            cells += [""] * (len(result.headers) - len(cells))
            table.add_row(Text(str(number)), *(Text(c) for c in cells))
        table.display = bool(result.sample)

    def _refusals(self, result: ImportResult) -> None:
        shown = [importing.refusal_text(r) for r in result.refusals[:SHOWN_REFUSALS]]
        hidden = len(result.refusals) - len(shown)
        if hidden > 0:
            shown.append(
                _("... and {count} more: give a report file to get them all").format(
                    count=format_number(hidden)
                )
            )
        self.query_one("#import-refusals", Static).update(plain("\n".join(shown)))
