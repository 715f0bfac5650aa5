"""psm's help and click's own usage errors in the reader's language, ``--lang`` anywhere."""

from __future__ import annotations

import gettext
import sys

import pytest
from click.testing import CliRunner

from psm_tui.cli import lift_language, main, ssh_command_args
from psm_tui.cli.click_i18n import CLICK_MESSAGES, CLICK_PLURALS, use_language

ENGLISH_BUILTINS = ("Usage:", "Options:", "Commands:", "Show this message", "Error:", "Try '")


def run(*args: str) -> tuple[int, str, str]:
    """``psm ARGS`` through the real entry point, with no --lang unless ARGS give one."""
    with CliRunner().isolation() as (out, err, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        sys.stdout.flush()
    return code, out.getvalue().decode(), err.getvalue().decode()


def assert_indonesian(text: str) -> None:
    assert not [word for word in ENGLISH_BUILTINS if word in text], text


def test_psm_help_is_indonesian_by_default() -> None:
    code, out, _err = run("--help")
    assert code == 0
    assert out.startswith("Penggunaan: psm [OPTIONS]")
    assert "Opsi:" in out and "Perintah:" in out
    assert "Daftarkan dan pantau kasus." in out  # the case group's own help
    assert "Tampilkan bantuan ini lalu keluar." in out
    assert_indonesian(out)


def test_a_subcommands_help_is_indonesian_by_default() -> None:
    code, out, _err = run("case", "new", "--help")
    assert code == 0
    assert "Daftarkan kasus; mencetak nomor kasus baru." in out
    assert "[wajib]" in out
    assert_indonesian(out)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("case", "new"), "Kesalahan: Opsi belum diisi '--name'."),
        (("cas",), "Kesalahan: Tidak ada perintah 'cas'."),
        (("case", "list", "--bogus"), "Kesalahan: Tidak ada opsi '--bogus'."),
    ],
)
def test_clicks_usage_errors_are_indonesian(args: tuple[str, ...], expected: str) -> None:
    code, _out, err = run(*args)
    assert code == 2
    assert expected in err
    assert "Coba '" in err
    assert_indonesian(err)


@pytest.mark.parametrize(
    "args",
    [("--lang", "en", "case", "new", "--help"), ("case", "new", "--help", "--lang", "en")],
)
def test_lang_anywhere_gives_english_help(args: tuple[str, ...]) -> None:
    code, out, _err = run(*args)
    assert code == 0
    assert out.startswith("Usage: psm case new")
    assert "Register a case; prints the new case number." in out


def test_lang_after_the_command_words_clicks_errors_too() -> None:
    code, _out, err = run("case", "new", "--lang=en")
    assert code == 2
    assert "Error: Missing option '--name'." in err


def test_lang_is_lifted_but_an_argument_after_double_dash_is_not() -> None:
    args, lang = lift_language(["demo", "--lang", "en", "--", "--lang"])
    assert (args, lang) == (["--lang", "en", "demo", "--", "--lang"], "en")


def test_the_version_follows_the_language() -> None:
    assert run("--version")[1] == "psm, versi 0.1.0\n"
    assert run("--version", "--lang", "en")[1] == "psm, version 0.1.0\n"


def test_psm_help_shows_one_commands_help() -> None:
    code, out, _err = run("help", "case", "new")
    assert code == 0
    assert out.startswith("Penggunaan: psm case new")
    code, _out, err = run("help", "case", "nope")
    assert code == 2 and "Tidak ada perintah nope di bawah psm case." in err


@pytest.mark.parametrize("original", ["--help", "-h", "--version", "help", "help case new"])
def test_help_and_version_are_allowed_over_ssh(original: str) -> None:
    forced = ["--as", "siti"]
    assert ssh_command_args(forced, original) == [*forced, *original.split()]


def test_every_click_message_psm_lists_is_translated() -> None:
    use_language("id")
    assert [m for m in CLICK_MESSAGES if gettext.gettext(m) == m] == []
    assert [p for s, p in CLICK_PLURALS if gettext.ngettext(s, p, 2) == p] == []
    use_language("en")
    assert gettext.gettext("Usage:") == "Usage:"


@pytest.mark.parametrize(
    ("original", "start"),
    [
        ("--help", "Penggunaan: psm [OPTIONS]"),
        ("help case", "Penggunaan: psm case"),
        ("--version", "psm, versi"),
    ],
)
def test_a_forced_ssh_session_answers_help_and_version(
    monkeypatch: pytest.MonkeyPatch, original: str, start: str
) -> None:
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", original)
    code, out, err = run("--as", "siti")
    assert (code, err) == (0, "")
    assert out.startswith(start)
