"""What a forced-command SSH session runs, and the root-only override of the system config."""

from __future__ import annotations

import os
from pathlib import Path

import click
import pytest

from psm_tui import config
from psm_tui.cli import ssh_command_args

FORCED = ["--as", "siti"]


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        (None, FORCED),  # no forced command in effect
        ("", FORCED),  # an interactive login: the TUI
        ("case list --json", [*FORCED, "case", "list", "--json"]),
        (
            'psm case new --name "Siti; rm -rf ~"',
            [*FORCED, "case", "new", "--name", "Siti; rm -rf ~"],
        ),
        ("case list $(id)", [*FORCED, "case", "list", "$(id)"]),
    ],
)
def test_the_clients_command_becomes_a_subcommand(
    original: str | None, expected: list[str]
) -> None:
    assert ssh_command_args(FORCED, original) == expected


def test_a_wrapper_with_db_and_lang_still_takes_the_command() -> None:
    args = ["--db", "/srv/psm/psm.db", "--lang=en", "--as", "siti"]
    assert ssh_command_args(args, "audit") == [*args, "audit"]


@pytest.mark.parametrize(
    ("original", "message"),
    [
        ("--as budi case list", "give a psm command such as: case list \\(not --as\\)"),
        ("--db /tmp/other.db case list", "\\(not --db\\)"),
        ("sh -c id", "\\(not sh\\)"),
        ("scp -t /tmp", "\\(not scp\\)"),
        ("/usr/lib/openssh/sftp-server", "\\(not /usr/lib/openssh/sftp-server\\)"),
        ("demo --cases 10", "\\(not demo\\)"),  # files in the service account's home
        ("case new --name 'unclosed", "Cannot read the SSH command"),
    ],
)
def test_the_client_cannot_change_identity_database_or_program(original: str, message: str) -> None:
    with pytest.raises(click.UsageError, match=message):
        ssh_command_args(FORCED, original)


def test_a_psm_run_with_its_own_subcommand_ignores_the_variable() -> None:
    assert ssh_command_args(["case", "list"], "user add x") == ["case", "list"]


@pytest.fixture
def etc_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The regular system file, naming the service account psm."""
    path = tmp_path / "etc.toml"
    path.write_text('service_account = "psm"\n')
    monkeypatch.setattr(config, "SYSTEM_CONFIG", path)
    return path


def _override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int = 0o644) -> Path:
    path = tmp_path / "override.toml"
    path.write_text('service_account = "tester"\ndatabase = "/srv/test/psm.db"\n')
    path.chmod(mode)
    monkeypatch.setenv(config.SYSTEM_CONFIG_ENV, str(path))
    return path


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can make a root-owned file")
def test_a_root_owned_override_names_the_service_account(
    etc_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _override(tmp_path, monkeypatch)
    settings = config.load_settings()
    assert (settings.service_account, settings.database) == ("tester", "/srv/test/psm.db")


@pytest.mark.parametrize("mode", [0o664, 0o646])
def test_an_override_others_can_write_is_ignored(
    etc_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    _override(tmp_path, monkeypatch, mode)
    assert config.load_settings().service_account == "psm"


def test_an_override_not_owned_by_root_is_ignored(
    etc_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _override(tmp_path, monkeypatch)
    if os.geteuid() == 0:
        os.chown(path, 65534, 65534)
    assert config.load_settings().service_account == "psm"


def test_a_missing_or_odd_override_falls_back_to_the_system_file(
    etc_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(config.SYSTEM_CONFIG_ENV, str(tmp_path / "absent.toml"))
    assert config.load_settings().service_account == "psm"
    os.mkfifo(tmp_path / "fifo")
    monkeypatch.setenv(config.SYSTEM_CONFIG_ENV, str(tmp_path / "fifo"))
    assert config.load_settings().service_account == "psm"
