"""Importing the office's existing roster and cases from CSV or XLSX files.

Every non-blank row ends up in exactly one place: imported, already imported by an earlier run
(recognised by a hash of its content, kept in ``import_record``), or refused with its row number,
column and reason. By default the import is all-or-nothing; ``skip_invalid`` writes the good rows.
Rows are checked outside any transaction. A real import first claims the write phase (one import
at a time, so two people importing at once cannot both add the same client or worker), then
checks against the database and writes in short batches that nobody else sees until the last one
(core/imports/runs.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from psm_tui.core import clock
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ValidationError
from psm_tui.core.files.boundary import DEFAULT_LIMITS, Limits
from psm_tui.core.files.cells import formula_safe, xml_safe
from psm_tui.core.files.input import InputFile
from psm_tui.core.files.output import Output
from psm_tui.core.imports import runs
from psm_tui.core.imports.columns import (
    CASE_COLUMNS,
    FIELD_HEADERS,
    WORKER_COLUMNS,
    ColumnMap,
    header_predicate,
    map_columns,
)
from psm_tui.core.imports.plan import Plan, plan_cases, plan_workers
from psm_tui.core.imports.readers import SourceTable, is_blank, read_table
from psm_tui.core.imports.rows import Refusal, RowChecker
from psm_tui.core.users import require
from psm_tui.core.validation import safe_display
from psm_tui.i18n import _, format_number, format_tenths, ngettext

KINDS = ("workers", "cases")
PERMISSIONS = runs.PERMISSIONS
COLUMNS = {"workers": WORKER_COLUMNS, "cases": CASE_COLUMNS}
# Columns a file must have (one of each tuple).
REQUIRED = {
    "workers": (("name",), ("kelurahan", "kecamatan")),
    "cases": (("name",), ("kelurahan",), ("category",)),
}
SAMPLE_ROWS = 10
REPORT_COLUMNS = ("row", "column", "reason")  # fixed names: the report is re-importable

Progress = Callable[[float], None]


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    kind: str
    source: str
    format: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    headers: list[str]
    ignored_columns: list[str]
    sample: list[tuple[int, list[str]]] = field(default_factory=list)
    rows: int = 0
    valid: int = 0
    imported: int = 0
    already_imported: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    dry_run: bool = False
    skip_invalid: bool = False
    new_clients: int = 0
    linked_clients: int = 0
    open_as_new: int = 0
    case_numbers: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def refused_rows(self) -> int:
        return len({r.row for r in self.refusals})

    @property
    def blocked(self) -> bool:
        """All-or-nothing and something was refused: nothing is (or would be) written."""
        return bool(self.refusals) and not self.skip_invalid


def import_file(
    actor: Actor,
    kind: str,
    source: InputFile,
    *,
    limits: Limits = DEFAULT_LIMITS,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``source`` (CSV or XLSX, opened by :mod:`file_access`) as ``workers`` or
    ``cases``."""
    if kind not in KINDS:
        raise ValidationError(_("Import what? Use workers or cases"), "kind")
    require(actor, PERMISSIONS[kind])
    report = progress or (lambda _done: None)
    started = time.perf_counter()
    table = read_table(source, header_predicate(COLUMNS[kind]), limits)
    try:
        columns = _columns(table, kind)
        result = ImportResult(
            kind=kind,
            source=source.name,
            format=table.format,
            encoding=table.encoding,
            delimiter=table.delimiter,
            sheet=table.sheet,
            headers=table.headers,
            ignored_columns=[c for c in columns.ignored if c not in REPORT_COLUMNS],
            dry_run=dry_run,
            skip_invalid=skip_invalid,
        )
        now = clock.now()
        checker = RowChecker(actor, columns, PERMISSIONS[kind], now)
        checked = _check_rows(table, checker, kind, result, report)
    finally:
        table.close()
    nik, kec = columns.header("nik"), columns.header("kecamatan")
    run_id = None if dry_run else runs.begin(actor, kind, result.source)
    try:
        plan = plan_workers(checked, nik, kec) if kind == "workers" else plan_cases(checked, nik)
        _account(result, plan)
        report(0.6)
        if run_id is not None:
            if not result.blocked and plan.rows:
                _write(actor, run_id, plan, result, now, lambda done: report(0.6 + 0.4 * done))
            else:
                runs.discard(run_id)
    except BaseException:
        if run_id is not None:
            runs.abandon(run_id, actor)
        raise
    report(1.0)
    result.seconds = time.perf_counter() - started
    return result


def _columns(table: SourceTable, kind: str) -> ColumnMap:
    columns = map_columns(table.headers, COLUMNS[kind])
    for options in REQUIRED[kind]:
        if not any(f in columns.index for f in options):
            raise ValidationError(
                _("{file} has no {column} column (the header row is row {row}: {headers})").format(
                    file=safe_display(table.name),
                    column=" / ".join(FIELD_HEADERS[f] for f in options),
                    row=table.header_row,
                    headers=", ".join(table.headers),
                )
            )
    return columns


def _check_rows(
    table: SourceTable, checker: RowChecker, kind: str, result: ImportResult, report: Progress
) -> list[Any]:
    """The rows that passed the checks: CaseRow or WorkerRow, by ``kind``."""
    check = checker.worker if kind == "workers" else checker.case
    estimate = max(table.estimated_rows or 0, 1)
    checked: list[Any] = []
    for number, values in table.rows:
        if is_blank(values):
            continue
        result.rows += 1
        if len(result.sample) < SAMPLE_ROWS:
            result.sample.append((number, values))
        outcome = check(number, values)
        if isinstance(outcome, list):
            result.refusals.extend(outcome)
        else:
            checked.append(outcome)
        if result.rows % 1000 == 0:
            report(min(0.5 * result.rows / estimate, 0.5))
    report(0.5)
    return checked


def _account(result: ImportResult, plan: Plan[Any]) -> None:
    """Fold the database checks into the result."""
    result.refusals = sorted(result.refusals + plan.refusals, key=lambda r: r.row)
    result.already_imported = plan.already
    result.valid = len(plan.rows)
    if result.kind == "cases":
        result.linked_clients = len(set(plan.clients.values()))
        result.open_as_new = sum(1 for r in plan.rows if r.file_status)
        result.new_clients = len(
            {r.nik or f"#{r.row}" for r in plan.rows if r.row not in plan.clients}
        )


def _write(
    actor: Actor,
    run_id: int,
    plan: Plan[Any],
    result: ImportResult,
    now: dt.datetime,
    report: Progress,
) -> None:
    numbers = runs.write(run_id, actor, result.kind, plan, result.source, now, report)
    if result.kind == "cases":
        result.case_numbers = numbers
    result.imported = len(plan.rows)
    changes: dict[str, object] = {
        "imported": result.imported,
        "already_imported": result.already_imported,
        "refused_rows": result.refused_rows,
    }
    runs.finish(run_id, actor, result.kind, changes, result.source)


def write_report(
    result: ImportResult, source: InputFile, output: Output, *, xlsx: bool = False
) -> int:
    """Write every refused row of ``source`` to ``output``: its cells as the file had them, then
    ``row``, ``column`` and ``reason``. The office fixes the rows and imports the report itself
    (the three extra columns are ignored). An XLSX report keeps every cell as text, so Excel
    cannot mangle a NIK again; a CSV report defuses cells that would run as formulas, exactly
    as exports do. Returns the number of rows written."""
    problems: dict[int, list[Refusal]] = {}
    for refusal in result.refusals:
        problems.setdefault(refusal.row, []).append(refusal)
    table = read_table(source, header_predicate(COLUMNS[result.kind]))
    lines: list[tuple[list[str], list[Refusal]]] = []
    try:
        for number, values in table.rows:
            if number in problems:
                lines.append((values, problems[number]))
    finally:
        table.close()
    width = max([len(table.headers), *(len(values) for values, _p in lines)])
    header = table.headers + [""] * (width - len(table.headers)) + list(REPORT_COLUMNS)
    body = [
        (values + [""] * (width - len(values)))
        + [
            str(found[0].row),
            " | ".join(dict.fromkeys(r.column for r in found if r.column)),
            " | ".join(r.reason for r in found),
        ]
        for values, found in lines
    ]
    try:
        with output.open(binary=xlsx) as stream:
            if xlsx:
                _write_xlsx(stream, header, body)
            else:
                rows = ([formula_safe(v) for v in values] for values in [header, *body])
                csv.writer(stream, delimiter=table.delimiter or ";").writerows(rows)
    except OSError as error:
        raise ValidationError(
            _("Cannot write {path}: {error}").format(
                path=safe_display(output.label), error=error.strerror or error
            )
        ) from None
    return len(body)


def _write_xlsx(stream: IO[bytes], header: list[str], body: list[list[str]]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Refused rows"))
    for values in [header, *body]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=xml_safe(value))
            cell.data_type = "s"  # text, never a formula or a number
            cell.number_format = "@"
            cells.append(cell)
        sheet.append(cells)
    book.save(stream)


def source_text(result: ImportResult) -> str:
    """How the file was read: ``CSV, delimiter ;, cp1252`` or ``XLSX, sheet Data``."""
    if result.format == "xlsx":
        return _("XLSX, sheet {sheet}").format(sheet=result.sheet)
    delimiter = {"\t": "tab"}.get(result.delimiter or "", result.delimiter)
    return _("CSV, delimiter {delimiter}, {encoding}").format(
        delimiter=delimiter, encoding=result.encoding
    )


def refusal_text(refusal: Refusal) -> str:
    """``row 4, NIK: NIK 3.67101E+15 was turned into a number ...``"""
    where = _("row {row}").format(row=refusal.row)
    if refusal.column:
        where += f", {refusal.column}"
    return f"{where}: {refusal.reason}"


def summary_text(result: ImportResult) -> str:
    """One paragraph saying what happened to every row."""
    noun = _("worker(s)") if result.kind == "workers" else _("case(s)")
    parts: list[str] = []
    if result.dry_run:
        if result.blocked:
            parts.append(
                _(
                    "Dry run: nothing would be imported ({valid} valid {noun}, but "
                    "{refused} row(s) refused)."
                ).format(
                    valid=format_number(result.valid),
                    noun=noun,
                    refused=format_number(result.refused_rows),
                )
            )
        else:
            parts.append(
                _("Dry run: would import {count} {noun}; nothing written.").format(
                    count=format_number(result.valid), noun=noun
                )
            )
    elif not result.blocked:
        text = _("Imported {count} {noun}").format(count=format_number(result.imported), noun=noun)
        if result.case_numbers:
            text += f" ({result.case_numbers[0]} … {result.case_numbers[-1]})"
        parts.append(text + ".")
    if result.already_imported:
        parts.append(
            _("{count} row(s) were already imported and were skipped.").format(
                count=format_number(result.already_imported)
            )
        )
    if result.refused_rows and not result.blocked:
        parts.append(_("{count} row(s) refused.").format(count=format_number(result.refused_rows)))
    if result.kind == "cases" and result.valid:
        parts.append(
            _("Clients: {new} new, {linked} existing (same NIK).").format(
                new=format_number(result.new_clients), linked=format_number(result.linked_clients)
            )
        )
    if result.open_as_new:
        parts.append(
            ngettext(
                "{count} open case from the file is imported as new: assign it to a PSM.",
                "{count} open cases from the file are imported as new: assign them to a PSM.",
                result.open_as_new,
            ).format(count=format_number(result.open_as_new))
        )
    parts.append(_("({seconds} s)").format(seconds=format_tenths(result.seconds)))
    return " ".join(parts)
