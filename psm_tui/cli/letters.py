"""``psm letter FOLLOWUP_ID`` and ``psm case print NUMBER``: numbered PDF documents.

Where the file goes follows the exports: a file here, ``-o -`` standard output, over SSH a
plain name lands in the outbox. Without ``-o`` a local user gets a file named after the
follow-up or case in the current folder; over SSH the PDF goes to standard output (never to a
terminal, where it would be noise).
"""

from __future__ import annotations

import sys

import click

from psm_tui.cli.context import CliState, pass_state
from psm_tui.core.errors import ValidationError
from psm_tui.core.files.access import output_for
from psm_tui.core.files.output import StdoutOutput
from psm_tui.core.outbox import OutboxOutput, fetch_hint
from psm_tui.core.validation import safe_display
from psm_tui.i18n import _
from psm_tui.presentation.letter_style import LetterStyle
from psm_tui.presentation.letters import write_letter

output_option = click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="PDF to write ('-': standard output). Over SSH: standard output, or a plain name "
    "for your outbox.",
)
force_option = click.option("--force", is_flag=True, help="Replace FILE if it exists.")


def make_document(
    state: CliState,
    kind: str,
    default_name: str,
    output: str | None,
    force: bool,
    *,
    case_number: str = "",
    followup_id: int | None = None,
) -> None:
    """Write one document and say its number and where it went."""
    actor = state.actor()
    boundary = state.boundary()
    if output is None and not boundary.remote:
        output = default_name
    destination = output_for(boundary, output, force=force)
    if isinstance(destination, StdoutOutput) and sys.stdout.isatty():
        raise ValidationError(_("A PDF would garble the terminal; send it to a file: ... > x.pdf"))
    number = write_letter(
        actor,
        kind,
        destination,
        LetterStyle.of(state.settings),
        case_number=case_number,
        followup_id=followup_id,
    )
    text = _("Letter {number} written to {file}").format(
        number=number.number, file=safe_display(destination.label)
    )
    if isinstance(destination, OutboxOutput):
        text += ". " + fetch_hint(destination.name)
    click.echo(text, err=True)


@click.command("letter")
@click.argument("followup_id", type=int)
@output_option
@force_option
@pass_state
def letter(state: CliState, followup_id: int, output: str | None, force: bool) -> None:
    """Write the referral letter (surat rujukan) of a follow-up as a numbered PDF."""
    make_document(
        state, "referral", f"rujukan-{followup_id}.pdf", output, force, followup_id=followup_id
    )


COMMANDS = [letter]
