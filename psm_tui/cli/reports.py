"""``psm summary`` and ``psm export``: figures in the terminal, and files for the office.

Both only render what :mod:`psm_tui.core.reports` (and its siblings) compute; the table, the
CSV and the JSON of one summary are built from the same objects, so they carry the same numbers.
"""

from __future__ import annotations

import sys
from functools import partial
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from psm_tui.cli import reports_json as docs
from psm_tui.cli.cases import _filters as case_filters
from psm_tui.cli.context import CliState, pass_state
from psm_tui.cli.files import written_text
from psm_tui.cli.output import console, dto_json, print_json
from psm_tui.cli.output import text as cell
from psm_tui.core import reports
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.errors import ValidationError
from psm_tui.core.files.access import output_for
from psm_tui.core.files.output import StdoutOutput
from psm_tui.core.reference import find_kecamatan
from psm_tui.core.reports import (
    ReportScope,
)
from psm_tui.core.workers import WorkerFilter
from psm_tui.core.workload import (
    worker_loads,
    workload,
)
from psm_tui.i18n import _, format_date
from psm_tui.presentation.export_files import CsvSink, LongCsvSink, TableSink, write_tables
from psm_tui.presentation.exports import (
    FORMATS,
    KINDS,
    ExportRequest,
    count_rows,
    format_for,
    run_export,
)
from psm_tui.presentation.incentive import DocumentSettings
from psm_tui.presentation.tables import (
    Column,
    ReportTable,
    area_table,
    bar,
    category_table,
    display_value,
    distribution_table,
    flagged_kelurahan_table,
    magnitude,
    month_table,
    opd_table,
    overview_tables,
    status_table,
    worker_table,
)

BY = ("status", "kecamatan", "kelurahan", "category", "opd", "worker", "month")
BAR_WIDTH = 36
PROGRESS_FROM = 2000  # rows; smaller exports finish before a bar would be worth drawing


def render(table: ReportTable, width: int = 80) -> Table:
    """A Rich table within ``width``: headers wrap at spaces, and optional columns are left out
    (saying so) when the rest would not fit otherwise."""
    if _min_width(table, table.columns) <= width:
        return _rich_table(table, table.columns)
    kept = [c for c in table.columns if not c.optional]
    dropped = ", ".join(c.label for c in table.columns if c.optional)
    return _rich_table(
        table, kept, _("Left out to fit the screen: {columns}").format(columns=dropped)
    )


def _min_width(table: ReportTable, columns: list[Column]) -> int:
    """The narrowest the table gets with every header and cell wrapped only at spaces."""
    total = 2 * (len(columns) - 1)
    for column in columns:
        index = table.columns.index(column)
        words = column.label.split() + [
            word
            for row in table.rows
            for word in display_value(row.values[index], column.kind).split()
        ]
        total += max((len(w) for w in words), default=1)
        if column.kind == "bar":
            total += 2 + min(BAR_WIDTH, 10)
    return total


def _rich_table(table: ReportTable, columns: list[Column], hidden: str = "") -> Table:
    notes = [n for n in (table.note, hidden) if n]
    if not table.rows:
        notes.insert(0, _("None."))
    out = Table(
        box=None,
        header_style="bold",
        pad_edge=False,
        title_justify="left",
        title=Text(table.title, style="bold"),
        caption_justify="left",
        caption=Text("\n".join(notes)) if notes else None,
    )
    positions = [table.columns.index(c) for c in columns]
    largest: dict[int, int] = {}
    for column, index in zip(columns, positions, strict=True):
        numeric = column.kind in ("int", "money", "float", "bar")
        out.add_column(column.label, justify="right" if numeric else "left", overflow="fold")
        if column.kind == "bar":
            out.add_column("", no_wrap=True)
            largest[index] = max((magnitude(r.values[index]) for r in table.rows), default=0)
    for row in table.rows:
        cells: list[Text] = []
        for column, index in zip(columns, positions, strict=True):
            value = row.values[index]
            cells.append(cell(display_value(value, column.kind)))
            if index in largest:
                cells.append(Text(bar(magnitude(value), largest[index], BAR_WIDTH)))
        if row.total:
            for text in cells:
                text.stylize("bold")
        out.add_row(*cells)
    return out


def _section(
    by: str, scope: ReportScope, threshold: int
) -> tuple[list[ReportTable], dict[str, object]]:
    """One dimension of the summary: its tables and the matching part of the JSON document."""
    if by in ("status", "kecamatan", "kelurahan"):
        kelurahan = reports.by_kelurahan(scope)
        if by == "kelurahan":
            return (
                [area_table(kelurahan, kelurahan=True, kecamatan=scope.kecamatan)],
                {"kelurahan": [docs.breakdown_json(k, True) for k in kelurahan]},
            )
        kecamatan = reports.by_kecamatan(scope, kelurahan)
        if by == "kecamatan":
            return [area_table(kecamatan, kecamatan=scope.kecamatan)], {
                "kecamatan": [docs.breakdown_json(k) for k in kecamatan]
            }
        totals = reports.status_totals(kecamatan)
        return [status_table(totals, scope.kecamatan)], {"status": docs.status_json(totals)}
    if by == "category":
        rows = reports.by_category(scope)
        categories = [dto_json(c) for c in rows]
        return [category_table(rows, scope.kecamatan)], {"categories": categories}
    if by == "opd":
        opd = reports.by_opd(scope)
        return [opd_table(opd)], {"opd": [docs.opd_json(o) for o in opd]}
    if by == "worker":
        load = workload(scope.kecamatan, threshold)
        everyone = worker_loads(scope.kecamatan)
        return (
            [distribution_table(load), worker_table(everyone), flagged_kelurahan_table(load)],
            {
                "workload": docs.workload_json(load),
                "workers": [docs.worker_json(w) for w in everyone],
            },
        )
    months = reports.monthly_intake(scope)
    return [month_table(months)], {"months": [{"month": m.key, "cases": m.count} for m in months]}


def _print_tables(tables: list[ReportTable], scope: ReportScope) -> None:
    out = console()
    parts = []
    if scope.date_from or scope.date_to:
        parts.append(
            _("{first} to {last}").format(
                first=format_date(scope.date_from), last=format_date(scope.date_to)
            )
        )
    if scope.kecamatan:
        parts.append(_("Kec. {name}").format(name=find_kecamatan(scope.kecamatan).name))
    if parts:
        out.print(cell(" · ".join(parts)))
    for index, table in enumerate(tables):
        if index:
            out.print()
        out.print(render(table, out.width))


@click.command("summary")
@click.option("--by", type=click.Choice(BY), help="One dimension instead of the overview.")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="Cases reported from this day.")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Cases reported up to this day.")
@click.option("--kecamatan", metavar="KEC", help="One kecamatan (name or code).")
@click.option(
    "--threshold",
    type=click.IntRange(1),
    help="Open cases per PSM above which a kelurahan is flagged.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@pass_state
def summary(
    state: CliState,
    by: str | None,
    date_from: str | None,
    date_to: str | None,
    kecamatan: str | None,
    threshold: int | None,
    fmt: str,
) -> None:
    """Figures at a glance: cases, follow-ups by OPD, PSM workload, monthly intake.

    CSV is for scripts: stable column keys and a ``key`` column (one table), or one value per
    line (table,row,label,column,value) when several tables are printed.
    """
    scope = reports.scoped(state.actor(), reports.make_scope(date_from, date_to, kecamatan))
    limit = threshold or state.settings.overload_threshold
    if by is None:
        ov = reports.overview(scope, threshold=limit)
        tables, document = overview_tables(ov), docs.overview_json(ov)
    else:
        tables, document = _section(by, scope, limit)
        document = {"scope": docs.scope_json(scope), **document}
    if fmt == "json":
        print_json(document)
    elif fmt == "csv":
        stream = sys.stdout
        sink: TableSink = (
            CsvSink(stream, plain=True, keyed=True)
            if len(tables) == 1
            else LongCsvSink(stream, plain=True)
        )
        write_tables(sink, tables)
    else:
        _print_tables(tables, scope)


@click.command("export")
@click.argument("kind", type=click.Choice(KINDS))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="csv, xlsx or pdf (pdf: incentive only; default: from the file name, else csv).",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="File to write ('-': standard output). Over SSH: standard output, or a plain name "
    "for your outbox.",
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option(
    "--plain",
    is_flag=True,
    help="CSV for programs: column keys, raw values, no BOM, identifiers unquoted.",
)
@click.option("--month", metavar="YYYY-MM", help="report/incentive: the month (default: last).")
@click.option(
    "--rule",
    type=click.Choice(["roster", "activity"]),
    help="incentive: who is paid (default: the incentive_rule setting).",
)
@click.option("--status")
@click.option("--kecamatan")
@click.option("--kelurahan")
@click.option("--category")
@click.option("--priority")
@click.option("--worker", type=int)
@click.option("--unassigned", is_flag=True)
@click.option("--overdue", is_flag=True, help="followups: only overdue ones.")
@click.option("--search")
@click.option("--opd", metavar="CODE", help="followups: one OPD.")
@click.option("--kind", "worker_kind", type=click.Choice(["psm", "tksk"]), help="workers: kind.")
@click.option("--all", "include_inactive", is_flag=True, help="workers: include inactive ones.")
@pass_state
def export(
    state: CliState,
    /,
    kind: str,
    fmt: str | None,
    output: str | None,
    force: bool,
    plain: bool,
    month: str | None,
    rule: str | None,
    opd: str | None,
    worker_kind: str | None,
    include_inactive: bool,
    **values: Any,
) -> None:
    """Write cases, followups, workers, the monthly report or the PSM incentive list to a file.

    Lists take the filters of 'psm case list'. CSV opens in a spreadsheet with NIKs intact;
    use --plain for programs, or xlsx for print-ready files.
    """
    actor = state.actor()
    _refuse_unrelated(kind, {**values, "rule": rule}, opd, worker_kind, include_inactive, month)
    destination = output_for(state.boundary(), output, force=force)
    fmt = format_for(output, fmt)
    if fmt in ("xlsx", "pdf") and isinstance(destination, StdoutOutput) and sys.stdout.isatty():
        raise ValidationError(
            _("A workbook would garble the terminal; send it to a file: ... > kasus.xlsx")
        )
    filters = case_filters(values) if kind in ("cases", "followups") else CaseFilter()
    kec = find_kecamatan(str(values["kecamatan"])).code if values.get("kecamatan") else None
    request = ExportRequest(
        kind=kind,
        fmt=fmt,
        filters=filters,
        opd=opd,
        plain=plain,
        workers=WorkerFilter(
            kind=worker_kind,
            kecamatan=kec,
            kelurahan=values.get("kelurahan"),
            active=None if include_inactive else True,
            search=values.get("search"),
        ),
        month=reports.parse_month(month) if kind in ("report", "incentive") else None,
        kecamatan=kec if kind in ("report", "incentive") else None,
    )
    settings = state.settings
    export_to = partial(
        run_export,
        actor,
        request,
        destination,
        incentive_rates=settings.incentive_rates,
        incentive_amount=settings.incentive_amount,
        threshold=settings.overload_threshold,
        incentive_rule=rule or settings.incentive_rule,
        document=DocumentSettings.from_settings(settings),
    )
    to_file = not isinstance(destination, StdoutOutput)
    total = count_rows(request, actor) if to_file and sys.stderr.isatty() else None
    if total and total >= PROGRESS_FROM:
        with click.progressbar(length=total, label=_("Exporting"), file=sys.stderr) as progress:
            result = export_to(progress=progress.update)
    else:
        result = export_to()
    if to_file:
        click.echo(written_text(result.rows, destination), err=True)


def _refuse_unrelated(
    kind: str,
    values: dict[str, object],
    opd: str | None,
    worker_kind: str | None,
    include_inactive: bool,
    month: str | None,
) -> None:
    """An option that does not apply to this export is an error, not silently ignored."""
    allowed = {
        "cases": {
            "status",
            "kecamatan",
            "kelurahan",
            "category",
            "priority",
            "worker",
            "unassigned",
            "overdue",
            "search",
        },
        "followups": {
            "status",
            "kecamatan",
            "kelurahan",
            "category",
            "priority",
            "worker",
            "unassigned",
            "overdue",
            "search",
            "opd",
        },
        "workers": {"kecamatan", "kelurahan", "search", "kind", "all"},
        "incentive": {"kecamatan", "month", "rule"},
        "report": {"kecamatan", "month"},
    }[kind]
    given = {k for k, v in values.items() if v not in (None, False)}
    given |= {
        name
        for name, v in (
            ("opd", opd),
            ("kind", worker_kind),
            ("all", include_inactive),
            ("month", month),
        )
        if v
    }
    extra = sorted(given - allowed)
    if extra:
        raise click.UsageError(
            _("--{option} does not apply to 'export {kind}'").format(option=extra[0], kind=kind)
        )


COMMANDS = [summary, export]
