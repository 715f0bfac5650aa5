"""What the user typed never reaches the terminal raw: every error echo escapes it.

An OSC sequence (``ESC ] 0 ; title BEL``) sets the terminal's title; others rewrite the screen or,
on some terminals, answer back into the input. The first test runs a real process.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from psm_tui import config
from psm_tui.cli import main
from psm_tui.core import users
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ValidationError
from psm_tui.core.validation import validate_username
from psm_tui.store.models import AuditLog, Case, StaffUser
from tests.conftest import make_user

OSC = "\x1b]0;pwned\x07"


def psm(*args: str) -> tuple[int, bytes, bytes]:
    """``psm --lang en ARGS`` in this process, stdout and stderr as the raw bytes written."""
    with CliRunner().isolation() as (out, err, _):
        try:
            main(["--lang", "en", *args])
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def test_an_osc_sequence_in_phone_is_refused_and_shown_escaped(
    initialised: Path, admin: Actor
) -> None:
    login = pwd.getpwuid(os.geteuid()).pw_name
    try:
        validate_username(login)
    except ValidationError:
        pytest.skip(f"the OS login {login!r} cannot be registered")
    if not StaffUser.select().where(StaffUser.username == login).exists():
        make_user(admin, login, "operator")
    done = subprocess.run(
        [sys.executable, "-m", "psm_tui", "--lang", "en", "--db", str(initialised),
         "case", "new", "--name", "Ibu Sari", "--kelurahan", "Poris Plawad",
         "--category", "8", "--phone", OSC],
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stdout == b""
    assert b"\x1b" not in done.stderr and b"\x07" not in done.stderr
    assert done.stderr == b"psm: Phone: the control character \\x1b is not allowed\n"
    assert Case.select().count() == 0


def test_a_usage_error_escapes_the_ssh_command_it_quotes(
    initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """click prints usage errors itself (``Error: ...``): they go through the same escaping."""
    monkeypatch.setenv("PSM_LANG", "en")  # the SSH command is read before --lang
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", OSC)
    code, out, err = psm("--db", str(initialised))
    assert (code, out) == (2, b"")
    assert b"\x1b" not in err and b"\x07" not in err
    assert err.endswith(
        b"Error: Over SSH, give a psm command such as: case list (not \\x1b]0;pwned\\x07)\n"
    )


def test_our_own_errors_escape_the_value_they_quote(initialised: Path) -> None:
    code, _out, err = psm("--db", str(initialised), "case", "show", f"2026-{OSC}")
    assert code == 3
    assert b"\x1b" not in err and b"\x07" not in err
    assert b"\\x1b]0;pwned\\x07" in err


def test_as_a_lookalike_of_a_registered_login_is_refused(
    initialised: Path, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(admin, "siti", "admin")
    system = tmp_path / "config.toml"
    system.write_text('service_account = "psm"\n')
    monkeypatch.setattr(config, "SYSTEM_CONFIG", system)
    monkeypatch.setattr(users, "os_username", lambda: "psm")
    code, out, err = psm("--db", str(initialised), "--as", "siti\u202e", "user", "list")
    assert (code, out) == (1, b"")
    assert err.decode() == (
        "psm: User name siti\\u202e is not allowed: it contains U+202E; "
        "use only a-z, 0-9, _ and - (at most 32 characters)\n"
    )
    refusal = AuditLog.get(AuditLog.action == "refused")
    assert (refusal.username, refusal.detail) == ("psm", "--as siti\\u202e")


def test_user_add_refuses_a_zero_width_lookalike(initialised: Path) -> None:
    code, _out, err = psm(
        "--db", str(initialised), "user", "add", "tester\u200b", "--role", "admin"
    )
    assert code == 1
    assert err.decode().startswith(
        "psm: User name tester\\u200b is not allowed: it contains U+200B"
    )
    assert [u.username for u in StaffUser.select()] == ["tester"]
