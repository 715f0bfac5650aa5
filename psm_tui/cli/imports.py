"""``psm import workers|cases FILE``: bring in the office's existing roster and cases."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

import click

from psm_tui.cli.context import CliState, pass_state
from psm_tui.cli.files import refused_written_text
from psm_tui.cli.output import print_json, written_json_option
from psm_tui.core.errors import ValidationError
from psm_tui.core.files.access import open_input, output_for
from psm_tui.core.files.output import StdoutOutput
from psm_tui.core.imports import run as importing
from psm_tui.core.imports import runs
from psm_tui.core.imports.run import ImportResult, Progress
from psm_tui.core.validation import safe_display
from psm_tui.i18n import _, format_number

SHOWN_REFUSALS = 50
F = TypeVar("F", bound=Callable[..., object])


@click.group("import")
def import_group() -> None:
    """Import workers or cases from CSV or XLSX files."""


def _options(command: F) -> F:
    """The options both commands share."""
    command = click.option(
        "--dry-run", is_flag=True, help="Check the file and say what would happen; write nothing."
    )(command)
    command = click.option(
        "--report",
        "report_path",
        metavar="FILE",
        help="Write every refused row with its reason to FILE (.csv or .xlsx), ready to fix "
        "and re-import ('-': standard output; over SSH a plain name goes to your outbox).",
    )(command)
    command = click.option("--force", is_flag=True, help="Replace the report file if it exists.")(
        command
    )
    command = click.option(
        "--skip-invalid", is_flag=True, help="Import the valid rows even if others are refused."
    )(command)
    command = written_json_option(command)
    return click.argument("file", metavar="FILE|-")(command)


@import_group.command("workers")
@_options
@pass_state
def import_workers(state: CliState, /, **options: Any) -> None:
    """Import PSM and TKSK from a roster file."""
    _run(state, "workers", **options)


@import_group.command("cases")
@_options
@pass_state
def import_cases(state: CliState, /, **options: Any) -> None:
    """Import cases (and their clients) from a file."""
    _run(state, "cases", **options)


@contextmanager
def _progress_bar(label: str) -> Iterator[Progress | None]:
    """A progress bar on a terminal (on stderr, so stdout stays the summary); nothing otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1000, label=label, file=sys.stderr) as bar:

        def update(done: float) -> None:
            bar.update(int(done * 1000) - bar.pos)

        yield update


def _run(
    state: CliState,
    kind: str,
    file: str,
    dry_run: bool,
    report_path: str | None,
    force: bool,
    skip_invalid: bool,
    as_json: bool,
) -> None:
    actor = state.actor()
    boundary = state.boundary()
    # Checked before the import runs, so a refused report path costs nothing.
    report = None if report_path is None else output_for(boundary, report_path, force=force)
    # A report on standard output takes stdout; the summary then goes to stderr.
    echo_err = isinstance(report, StdoutOutput)
    if echo_err and as_json:
        raise click.UsageError(_("--json and --report - both write to standard output"))
    with open_input(boundary, file) as source:
        with _progress_bar(_("Importing {file}").format(file=safe_display(source.name))) as bar:
            result = importing.import_file(
                actor,
                kind,
                source,
                limits=boundary.limits,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                progress=bar,
            )
        if as_json:
            print_json(import_json(result))
        else:
            _print(result, err=echo_err)
        if report is not None:
            xlsx = (report_path or "").lower().endswith(".xlsx")
            count = importing.write_report(result, source, report, xlsx=xlsx)
            click.echo(refused_written_text(count, report), err=echo_err)
    if result.blocked:
        raise ValidationError(
            _(
                "Nothing imported: {count} row(s) refused. Fix them (see --report) or use "
                "--skip-invalid to import the {valid} valid row(s)."
            ).format(count=result.refused_rows, valid=result.valid)
        )


@import_group.command("recover")
@written_json_option
@pass_state
def import_recover(state: CliState, /, as_json: bool) -> None:
    """Roll back an import whose process died; a running import is left alone."""
    actor = state.actor()
    recovered = runs.recover(actor)
    running = [run for run in runs.unfinished() if run.alive]
    if as_json:
        print_json(
            {
                "recovered": [_run_json(run) for run in recovered],
                "running": [_run_json(run) for run in running],
            }
        )
        return
    for run in recovered:
        click.echo(
            safe_display(
                _(
                    "Rolled back the unfinished import of {file} ({kind}, by {user}, started "
                    "{started}): {count} row(s) removed."
                ).format(
                    file=run.source,
                    kind=run.kind,
                    user=run.username,
                    started=run.started_at.strftime("%Y-%m-%d %H:%M"),
                    count=format_number(run.written),
                )
            )
        )
    for run in running:
        click.echo(
            safe_display(
                _("Still running, left alone: {file} ({kind}, by {user}).").format(
                    file=run.source, kind=run.kind, user=run.username
                )
            )
        )
    if not recovered and not running:
        click.echo(_("No unfinished import."))


def _run_json(run: runs.RunInfo) -> dict[str, object]:
    return {
        "id": run.id,
        "kind": run.kind,
        "source": run.source,
        "username": run.username,
        "started_at": run.started_at.isoformat(timespec="seconds"),
        "written": run.written,
    }


def import_json(result: ImportResult) -> dict[str, object]:
    """What an import did, for scripts: the counts, the refusals and the new case numbers."""
    return {
        "kind": result.kind,
        "source": result.source,
        "format": result.format,
        "dry_run": result.dry_run,
        "rows": result.rows,
        "valid": result.valid,
        "imported": result.imported,
        "already_imported": result.already_imported,
        "refused_rows": result.refused_rows,
        "refusals": [
            {"row": r.row, "column": r.column, "reason": r.reason} for r in result.refusals
        ],
        "ignored_columns": result.ignored_columns,
        "new_clients": result.new_clients,
        "linked_clients": result.linked_clients,
        "case_numbers": result.case_numbers,
    }


def _print(result: ImportResult, *, err: bool = False) -> None:
    echo = partial(click.echo, err=err)
    echo(
        safe_display(
            _("{file} ({source}): {rows} data row(s)").format(
                file=result.source,
                source=importing.source_text(result),
                rows=format_number(result.rows),
            )
        )
    )
    if result.ignored_columns:
        echo(
            safe_display(
                _("Columns not imported: {columns}").format(
                    columns=", ".join(result.ignored_columns)
                )
            )
        )
    for refusal in result.refusals[:SHOWN_REFUSALS]:
        echo(safe_display("  " + importing.refusal_text(refusal)))
    hidden = len(result.refusals) - SHOWN_REFUSALS
    if hidden > 0:
        echo(
            _("  ... and {count} more (use --report FILE to get them all)").format(
                count=format_number(hidden)
            )
        )
    echo(importing.summary_text(result))


COMMANDS = [import_group]
