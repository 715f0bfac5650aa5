"""The ``psm`` command: the TUI by default, and every operation as a subcommand.

This module must not import textual: the TUI is imported only when it is opened.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import os
import shlex
import sys
from pathlib import Path
from typing import IO

import click
import platformdirs

from psm_tui import __version__
from psm_tui.cli.context import CliState
from psm_tui.config import APP_NAME, load_settings
from psm_tui.core import session
from psm_tui.core.validation import safe_display
from psm_tui.i18n import _, set_language

# Each subcommand's module is imported only when that command runs: a cold `psm case show`
# must not pay for openpyxl, the reports or the importer.
COMMAND_MODULES = {
    "case": "cases",
    "followup": "followups",
    "init": "setup",
    "migrate": "setup",
    "demo": "setup",
    "user": "users",
    "worker": "workers",
    "training": "roster",
    "ipsm": "roster",
    "coverage": "roster",
    "backup": "admin",
    "restore": "admin",
    "check": "admin",
    "audit": "admin",
    "ssh": "admin",
    "import": "imports",
    "summary": "reports",
    "export": "reports",
    "outbox": "outbox",
}
# Commands a forced SSH session may not run: the demo makes files in the service account's home.
NOT_OVER_SSH = {"demo"}
# Modules that add subcommands to another module's group when imported.
COMMAND_EXTRAS = {"worker": ("roster",)}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        for extra in COMMAND_EXTRAS.get(cmd_name, ()):
            importlib.import_module(f"psm_tui.cli.{extra}")
        module = importlib.import_module(f"psm_tui.cli.{module_name}")
        commands: list[click.Command] = module.COMMANDS
        return next(c for c in commands if c.name == cmd_name)


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option("--db", "database", metavar="PATH_OR_URL", help="Database file or URL.")
@click.option("--as", "as_name", metavar="NAME", help="Act as NAME (service account only).")
@click.option("--lang", type=click.Choice(["id", "en"]), help="Interface language.")
@click.version_option(__version__, prog_name="psm")
@click.pass_context
def cli(ctx: click.Context, database: str | None, as_name: str | None, lang: str | None) -> None:
    """psm-tui: social-welfare cases, PSM and follow-ups for Dinas Sosial Kota Tangerang."""
    settings = load_settings(database=database, lang=lang)
    set_language(settings.lang)
    ctx.obj = CliState(settings, as_name)
    if ctx.invoked_subcommand is None:
        from psm_tui.cli.tui import open_tui

        open_tui(ctx.obj)


def log_stream() -> tuple[IO[str], str]:
    """psm's log file, created 0600 (tracebacks can hold personal data), never via a link."""
    path = Path(platformdirs.user_log_dir(APP_NAME)) / "psm.log"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "a", encoding="utf-8"), str(path)


def _fail(message: str, code: int) -> None:
    """One line on stderr. Messages quote what the user typed: it is shown escaped, so an
    argument holding ``\\x1b]0;...\\x07`` cannot drive the terminal."""
    click.echo(f"psm: {safe_display(message)}", err=True)
    sys.exit(code)


def _show_click_error(error: click.ClickException) -> None:
    """click's own usage errors echo the offending argument too: escaped like ours."""
    shown = io.StringIO()
    error.show(file=shown)
    click.echo(safe_display(shown.getvalue()), err=True, nl=False)
    sys.exit(error.exit_code)


# The group's options that take a value: the only ones a forced command line holds.
_GLOBAL_VALUE_OPTIONS = ("--db", "--as", "--lang")


def _only_global_options(args: list[str]) -> bool:
    rest = iter(args)
    for arg in rest:
        if arg in _GLOBAL_VALUE_OPTIONS:
            next(rest, None)
        elif not arg.startswith(tuple(f"{option}=" for option in _GLOBAL_VALUE_OPTIONS)):
            return False
    return True


def ssh_command_args(args: list[str], original: str | None) -> list[str]:
    """The arguments of a session that an ``authorized_keys`` forced command started.

    sshd runs only the forced ``psm --as NAME`` and leaves what the client asked for in
    ``SSH_ORIGINAL_COMMAND``: it is split like a shell would (never run by one) and appended as a
    subcommand. It must start with a psm command, so it cannot add global options: a key bound to
    siti stays siti. No command (an interactive login) opens the TUI.
    """
    if original is None or not _only_global_options(args):
        return args
    try:
        words = shlex.split(original)
    except ValueError as error:
        raise click.UsageError(
            _("Cannot read the SSH command: {error}").format(error=error)
        ) from error
    if words[:1] == ["psm"]:
        words = words[1:]
    if words and (words[0] not in COMMAND_MODULES or words[0] in NOT_OVER_SSH):
        raise click.UsageError(
            _("Over SSH, give a psm command such as: case list (not {command})").format(
                command=words[0]
            )
        )
    return [*args, *words]


def _refuse_undecodable(args: list[str]) -> None:
    """An argument that is not UTF-8 (Python keeps its bytes as surrogates) is a usage error."""
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
            raise click.UsageError(
                _("An argument is not valid UTF-8 text: {arg}").format(arg=safe_display(shown))
            ) from None


def _quiet_broken_pipe() -> None:
    """The reader went away (``psm export -o - | head``): stop without a word."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(141)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; any failure becomes one clear line on stderr, never a traceback."""
    try:
        args = sys.argv[1:] if argv is None else argv
        set_language(load_settings().lang)  # messages before click parses --lang
        _refuse_undecodable(args)
        original = os.environ.get("SSH_ORIGINAL_COMMAND")
        _refuse_undecodable([original] if original else [])
        args = ssh_command_args(args, original)
        code = cli.main(args=args, prog_name="psm", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        _fail(_("Cancelled."), 130)
    except click.ClickException as error:
        _show_click_error(error)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except BrokenPipeError:
        _quiet_broken_pipe()
    except Exception as error:
        worded = session.translate(error)  # every database failure is worded there, once
        if worded is None:
            _report_internal(error)
        else:
            _fail(str(worded), worded.exit_code)


def _report_internal(error: BaseException) -> None:
    try:
        stream, where = log_stream()
        handler = logging.StreamHandler(stream)
        logger = logging.getLogger("psm.internal")
        logger.addHandler(handler)
        try:
            logger.error("internal error", exc_info=error)
        finally:
            logger.removeHandler(handler)
            handler.close()
            stream.close()
    except OSError:
        where = "-"
    _fail(_("Internal error: {error} (details in {log})").format(error=error, log=where), 70)
