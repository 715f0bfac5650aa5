"""``psm help [COMMAND…]``: the help of psm or of one command, also over a forced SSH session."""

from __future__ import annotations

import click

from psm_tui.i18n import _


@click.command("help")
@click.argument("words", nargs=-1, metavar="[COMMAND]...")
@click.pass_context
def help_command(ctx: click.Context, words: tuple[str, ...]) -> None:
    """Show the help of psm or of one command (psm help case new)."""
    shown = ctx.find_root()
    for word in words:
        group = shown.command
        sub = group.get_command(shown, word) if isinstance(group, click.Group) else None
        if sub is None:
            raise click.UsageError(
                _("No command {name} under {parent}.").format(name=word, parent=shown.command_path)
            )
        shown = click.Context(sub, info_name=word, parent=shown)
    click.echo(shown.get_help())


COMMANDS = [help_command]
