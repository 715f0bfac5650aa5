"""Opening the TUI from the CLI: refuse without a terminal, import textual only here."""

from __future__ import annotations

import sys

import click

from psm_tui.cli.context import CliState
from psm_tui.i18n import _


def open_tui(state: CliState) -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise click.ClickException(
            _("The app needs a terminal. Over SSH use: ssh -t host psm (or run a subcommand)")
        )
    actor = state.actor()
    from psm_tui.tui.app import make_app

    make_app(state.settings, actor).run()
