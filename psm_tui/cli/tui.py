"""Opening the TUI from the CLI: refuse without a terminal, import textual only here."""

from __future__ import annotations

import logging
import sys

import click

from psm_tui.cli.context import CliState
from psm_tui.cli.log_file import log_stream
from psm_tui.i18n import _


def _log_to_file() -> None:
    """Errors the app reports go to a file: a message on stderr would garble the screen."""
    try:
        handler: logging.Handler = logging.StreamHandler(log_stream()[0])
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger = logging.getLogger("psm")
    logger.addHandler(handler)
    logger.propagate = False


def open_tui(state: CliState) -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise click.ClickException(
            _("The app needs a terminal. Over SSH use: ssh -t host psm (or run a subcommand)")
        )
    actor = state.actor()
    from psm_tui.tui.app import make_app

    _log_to_file()
    make_app(state.settings, actor).run()
