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

import click

from psm_tui import __version__
from psm_tui.cli.click_i18n import (
    translate_command,
    translate_help_option,
    translate_texts,
    use_language,
)
from psm_tui.cli.context import CliState
from psm_tui.cli.log_file import log_stream
from psm_tui.config import ConfigError, load_settings
from psm_tui.core import session
from psm_tui.core.validation import safe_display
from psm_tui.i18n import LANGUAGES, _

# Each subcommand's module is imported only when that command runs: a cold `psm case show`
# must not pay for openpyxl, the reports or the importer.
COMMAND_MODULES = {
    "case": "cases",
    "followup": "followups",
    "letter": "letters",
    "client": "clients",
    "household": "clients",
    "programme": "clients",
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
    "incentive": "incentive",
    "outbox": "outbox",
    "help": "help",
}
# Commands a forced SSH session may not run: the demo makes files in the service account's home.
NOT_OVER_SSH = {"demo"}
# What a forced SSH session may ask besides a command: reading the help changes nothing.
HELP_OVER_SSH = {"--help", "-h", "--version"}
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
        return translate_command(next(c for c in commands if c.name == cmd_name), ctx)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """The root's own help is translated where click first needs it: its --help."""
        translate_texts(self)
        return translate_help_option(super().get_help_option(ctx))


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """click's version option words its message once, at import: this one at each run."""
    if value and not ctx.resilient_parsing:
        click.echo(_("{prog}, version {version}").format(prog="psm", version=__version__))
        ctx.exit()


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option("--db", "database", metavar="PATH_OR_URL", help="Database file or URL.")
@click.option("--as", "as_name", metavar="NAME", help="Act as NAME (service account only).")
@click.option("--lang", type=click.Choice(["id", "en"]), help="Interface language.")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.pass_context
def cli(ctx: click.Context, database: str | None, as_name: str | None, lang: str | None) -> None:
    """psm-tui: social-welfare cases, PSM and follow-ups for Dinas Sosial Kota Tangerang."""
    settings = load_settings(database=database, lang=lang)
    use_language(settings.lang)
    ctx.obj = CliState(settings, as_name)
    if ctx.invoked_subcommand is None:
        from psm_tui.cli.tui import open_tui

        open_tui(ctx.obj)


def _fail(message: str, code: int) -> None:
    """One line on stderr. Messages quote what the user typed: it is shown escaped, so an
    argument holding ``\\x1b]0;...\\x07`` cannot drive the terminal."""
    click.echo(f"psm: {safe_display(message)}", err=True)
    sys.exit(code)


def config_message(error: ConfigError) -> str:
    """The settings problem in the user's words, naming the file (or variable) and line."""
    where = error.source
    if error.line is not None:
        where = _("{file}, line {line}").format(file=error.source, line=error.line)
    if error.setting is None:
        return _("{where}: not valid TOML; correct the file or remove it").format(where=where)
    return _("{where}: {setting} must be a whole number, not {value}").format(
        where=where, setting=error.setting, value=error.value
    )


def _language_of(args: list[str]) -> str:
    """The language asked for by ``--lang`` or PSM_LANG, when the settings cannot be read."""
    for arg, following in zip(args, [*args[1:], ""], strict=True):
        if arg == "--lang":
            return following
        if arg.startswith("--lang="):
            return arg.removeprefix("--lang=")
    return os.environ.get("PSM_LANG", "")


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
    if (
        words
        and words[0] not in HELP_OVER_SSH
        and (words[0] not in COMMAND_MODULES or words[0] in NOT_OVER_SSH)
    ):
        raise click.UsageError(
            _("Over SSH, give a psm command such as: case list (not {command})").format(
                command=words[0]
            )
        )
    return [*args, *words]


def lift_language(args: list[str]) -> tuple[list[str], str | None]:
    """``--lang`` anywhere (``psm demo --lang en``) moved before the command, where psm reads it.

    Everything after ``--`` is left alone: there it is an argument, not an option.
    """
    rest: list[str] = []
    lifted: list[str] = []
    words = iter(args)
    for arg in words:
        if arg == "--":
            rest += [arg, *words]
        elif arg == "--lang":
            value = next(words, None)  # none: click says the option needs one
            lifted += [arg] if value is None else [arg, value]
        elif arg.startswith("--lang="):
            lifted.append(arg)
        else:
            rest.append(arg)
    values = [a.removeprefix("--lang=") for a in lifted if a != "--lang"]
    lang = values[-1] if values and values[-1] in LANGUAGES else None
    return [*lifted, *rest], lang


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
        use_language(load_settings().lang)  # messages before the arguments are read
        _refuse_undecodable(args)
        original = os.environ.get("SSH_ORIGINAL_COMMAND")
        _refuse_undecodable([original] if original else [])
        args, lang = lift_language(ssh_command_args(args, original))
        if lang:  # click words help and errors before the group's callback runs
            use_language(lang)
        code = cli.main(args=args, prog_name="psm", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except ConfigError as error:
        use_language(_language_of(sys.argv[1:] if argv is None else argv))
        _fail(config_message(error), error.exit_code)
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
