"""A settings file that is not valid TOML, or a number that is not one, stops psm with one line in
the user's language naming the file and line, exit code 78 (EX_CONFIG): never a traceback, never
silently running on defaults. The TUI starts through the same entry point (``psm`` alone)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from psm_tui import config
from psm_tui.cli import main

EX_CONFIG = 78


def psm(*args: str) -> tuple[int, str]:
    """Run ``psm ARGS`` through the real entry point; the exit code and stderr."""
    with CliRunner().isolation() as (_out, err, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        sys.stdout.flush()
    return code, err.getvalue().decode()


def one_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.strip()


@pytest.fixture
def user_file() -> Path:
    path = config.user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_a_malformed_user_file_names_file_and_line_in_english(user_file: Path) -> None:
    user_file.write_text('lang = "en"\noutbox_days = \n')
    code, err = psm("--lang", "en", "case", "list")
    assert code == EX_CONFIG
    assert one_line(err) == (
        f"psm: {user_file}, line 2: not valid TOML; correct the file or remove it"
    )


def test_the_message_is_indonesian_without_a_language_asked_for(user_file: Path) -> None:
    user_file.write_text("[psm\n")
    code, err = psm("case", "list")
    assert code == EX_CONFIG
    assert one_line(err) == (
        f"psm: {user_file}, baris 1: bukan TOML yang sah; perbaiki berkasnya atau hapus"
    )


def test_psm_lang_chooses_the_language_of_the_message(
    user_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_file.write_text('lang = "en"\nincentive_amount = "lima ratus"\n')
    monkeypatch.setenv("PSM_LANG", "en")
    code, err = psm("case", "list")
    assert code == EX_CONFIG
    assert one_line(err) == (
        f"psm: {user_file}, line 2: incentive_amount must be a whole number, not lima ratus"
    )


def test_a_malformed_system_file_stops_the_tui_from_starting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = tmp_path / "etc-config.toml"
    system.write_text('service_account = "psm"\nservice_group_mode = "yes\n')
    monkeypatch.setattr(config, "SYSTEM_CONFIG", system)
    code, err = psm("--lang=en")  # no subcommand: the TUI
    assert code == EX_CONFIG
    assert one_line(err) == f"psm: {system}, line 2: not valid TOML; correct the file or remove it"


def test_a_number_that_is_not_whole_names_its_line(user_file: Path) -> None:
    user_file.write_text('# psm\n\n  outbox_days = 7.5\nlang = "en"\n')
    code, err = psm("--lang", "en", "case", "list")
    assert (code, one_line(err)) == (
        EX_CONFIG,
        f"psm: {user_file}, line 3: outbox_days must be a whole number, not 7.5",
    )
    user_file.write_text("import_max_rows = true\n")  # TOML's true is no number
    code, err = psm("--lang", "en", "case", "list")
    assert one_line(err).endswith("line 1: import_max_rows must be a whole number, not True")


def test_a_variable_that_is_not_a_number_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PSM_FOLLOWUP_DAYS", "dua minggu")
    code, err = psm("--lang", "en", "case", "list")
    assert (code, one_line(err)) == (
        EX_CONFIG,
        "psm: PSM_FOLLOWUP_DAYS: followup_due_days must be a whole number, not dua minggu",
    )


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte(user_file: Path) -> None:
    user_file.write_bytes(b'lang = "en"\nnote = "caf\xe9"\n')
    code, err = psm("--lang", "en", "case", "list")
    assert code == EX_CONFIG
    assert one_line(err) == (
        f"psm: {user_file}, line 2: not valid TOML; correct the file or remove it"
    )


def test_an_unreadable_system_file_is_still_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff outside the service group may not read /etc/psm-tui/config.toml: not an error."""
    monkeypatch.setattr(config, "SYSTEM_CONFIG", tmp_path / "missing" / "config.toml")
    assert config.load_settings().followup_due_days == 14
