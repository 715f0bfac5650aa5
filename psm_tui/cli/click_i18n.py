"""The one place where click speaks the reader's language.

click words its usage errors and help headings with the standard library's ``gettext`` (the
process's default domain, the language from ``LANGUAGE``): binding that domain to psm's catalog
is click's documented way to translate it. Our own help texts (docstrings, ``help=``) are
English msgids, translated on the command objects whenever a command is looked up, so one process
can answer in either language (the tests do).
"""

from __future__ import annotations

import gettext
import inspect
import os

import click

from psm_tui.i18n import LOCALE_DIR, _, set_language


def N_(message: str) -> str:
    """Mark a msgid for extraction; click translates it itself."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural msgid pair for extraction; click chooses the form itself."""
    return singular, plural


# The click messages psm users meet, exactly as click spells its msgids: listed here so that
# `locale_tools update` keeps them in the catalog, and so a test can prove each is translated.
CLICK_MESSAGES = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("Positional arguments"),
    N_("Show the version and exit."),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing parameter: {param_name}"),
    N_("Missing command."),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Aborted!"),
    N_("default: {default}"),
    N_("required"),
    N_("Choose from:\n\t{choices}"),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("Option {name!r} does not take a value."),
    N_("Could not open file {filename!r}: {message}"),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a directory."),
    N_("file"),
    N_("directory"),
    N_("path"),
)
CLICK_PLURALS = (
    N_plural("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    N_plural(
        "Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."
    ),
    N_plural("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    N_plural("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
)
# click creates each --help option lazily, in the language of that moment: psm re-words it.
HELP_OPTION_HELP = N_("Show this message and exit.")

_DOMAIN = "psm"
_ORIGINAL = "_psm_msgid"


def use_language(lang: str) -> str:
    """Switch psm and click to ``lang`` (Indonesian unless ``en``)."""
    lang = set_language(lang)
    gettext.bindtextdomain(_DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(_DOMAIN)
    # gettext.gettext reads its language from the environment only; English has no catalog.
    os.environ["LANGUAGE"] = lang
    return lang


def _translated(owner: object, attribute: str) -> str | None:
    """``owner.attribute`` in the current language, from the English it was first given."""
    if not hasattr(owner, _ORIGINAL + attribute):
        text = getattr(owner, attribute)
        setattr(owner, _ORIGINAL + attribute, inspect.cleandoc(text) if text else text)
    original = getattr(owner, _ORIGINAL + attribute)
    return _(original) if original else original


def translate_texts(command: click.Command) -> None:
    """Word ``command``'s own help and its options' help in the current language."""
    for attribute in ("help", "short_help", "epilog"):
        setattr(command, attribute, _translated(command, attribute))
    for param in command.params:
        if isinstance(param, click.Option):
            param.help = _translated(param, "help")


def translate_help_option(option: click.Option | None) -> click.Option | None:
    """The --help option click made, re-worded in the current language."""
    if option is not None:
        option.help = _(HELP_OPTION_HELP)
    return option


def translate_command(command: click.Command, ctx: click.Context) -> click.Command:
    """``command`` and its subcommands, help options included, in the current language."""
    translate_texts(command)
    translate_help_option(command.get_help_option(ctx))
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            translate_command(sub, ctx)
    return command
