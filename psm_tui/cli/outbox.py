"""``psm outbox list|get|put|rm``: a remote person's files on the server, without paths."""

from __future__ import annotations

import sys

import click

from psm_tui.cli.context import CliState, pass_state
from psm_tui.cli.output import console, dto_json, print_json, table
from psm_tui.cli.output import text as cell
from psm_tui.core import outbox
from psm_tui.core.errors import ValidationError
from psm_tui.core.validation import safe_display
from psm_tui.i18n import _, format_datetime, format_number


@click.group("outbox")
def outbox_group() -> None:
    """Your files on the server: exports and reports made in the app, files to import."""


@outbox_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def list_files(state: CliState, as_json: bool) -> None:
    """The files in your outbox (they leave it after some days)."""
    found = outbox.entries(state.boundary())
    if as_json:
        print_json([dto_json(entry) for entry in found])
        return
    out = table(_("Your outbox"), _("File"), _("Size"), _("Made"))
    for entry in found:
        out.add_row(cell(entry.name), format_number(entry.size), format_datetime(entry.modified))
    console().print(out)


@outbox_group.command("get")
@click.argument("name")
@pass_state
def get(state: CliState, name: str) -> None:
    """Write the file NAME to standard output: ssh dinsos outbox get NAME > NAME."""
    if sys.stdout.isatty():
        raise ValidationError(
            _("Send it to a file: ssh dinsos outbox get {name} > {name}").format(
                name=safe_display(name)
            )
        )
    outbox.get(state.actor(), state.boundary(), name, sys.stdout.buffer)
    sys.stdout.buffer.flush()


@outbox_group.command("put")
@click.argument("name")
@pass_state
def put(state: CliState, name: str) -> None:
    """Store standard input as NAME, to import it in the app: ... outbox put NAME < NAME."""
    if sys.stdin.isatty():
        raise ValidationError(
            _("Send the file on standard input: ssh dinsos outbox put {name} < {name}").format(
                name=safe_display(name)
            )
        )
    size = outbox.put(state.boundary(), name, sys.stdin.buffer)
    click.echo(
        _("{name} is in your outbox ({size} bytes)").format(
            name=safe_display(name), size=format_number(size)
        )
    )


@outbox_group.command("rm")
@click.argument("name")
@pass_state
def remove(state: CliState, name: str) -> None:
    """Delete the file NAME from your outbox."""
    outbox.remove(state.boundary(), name)
    click.echo(_("{name} deleted from your outbox").format(name=safe_display(name)))


COMMANDS = [outbox_group]
