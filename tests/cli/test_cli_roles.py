"""The remaining commands refuse the roles that may not run them, in one line with exit 4."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from psm_tui.cli import main
from psm_tui.core import users
from psm_tui.core.dto import Actor
from psm_tui.store.models import AuditLog
from tests.conftest import make_user


def psm(*args: str) -> tuple[int, str, str]:
    with CliRunner().isolation() as (out, err, _):
        try:
            main(["--lang", "en", *args])
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        sys.stdout.flush()  # what a process does at exit (print_json writes unflushed)
    return code, out.getvalue().decode(), err.getvalue().decode()


@pytest.mark.parametrize(
    ("role", "command", "needed"),
    [
        ("viewer", ["ssh", "list", "--file", "KEYS"], "admin"),
        ("supervisor", ["ssh", "list", "--file", "KEYS"], "admin"),
        ("viewer", ["init"], "admin"),
        ("operator", ["migrate"], "admin"),
        ("supervisor", ["migrate", "--status"], "admin"),
        ("operator", ["demo", "--no-open", "--cases", "5"], "admin"),
        ("viewer", ["check"], "supervisor"),
        ("operator", ["check", "--json"], "supervisor"),
    ],
)
def test_refused_for_the_roles_below(
    initialised: Path,
    admin: Actor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    role: str,
    command: list[str],
    needed: str,
) -> None:
    make_user(admin, "someone", role)
    monkeypatch.setattr(users, "os_username", lambda: "someone")
    keys = tmp_path / "authorized_keys"
    keys.write_text("")
    args = [str(keys) if arg == "KEYS" else arg for arg in command]
    code, out, err = psm("--db", str(initialised), *args)
    assert (code, out) == (4, "")
    assert err == f"psm: This needs the {needed} role (you are {role})\n"
    refused = AuditLog.get(AuditLog.action == "refused")
    assert (refused.username, refused.entity) == ("someone", "permission")


@pytest.mark.sqlite_only
def test_a_supervisor_checks_without_seeing_the_server_layout(
    initialised: Path, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(admin, "kabid", "supervisor")
    monkeypatch.setattr(users, "os_username", lambda: "kabid")
    code, out, err = psm("--db", str(initialised), "check", "--json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["database"] == "SQLite"
    assert str(initialised.parent) not in out
    checks = {c["name"]: c["detail"] for c in document["checks"]}
    assert checks["file_modes"] == checks["directory"] == "ok"
    monkeypatch.setattr(users, "os_username", lambda: "tester")
    code, out, _err = psm("--db", str(initialised), "check", "--json")
    assert json.loads(out)["database"] == str(initialised)
    assert str(initialised.parent) in out


def test_init_and_migrate_still_run_for_an_admin(initialised: Path) -> None:
    assert psm("--db", str(initialised), "init")[0] == 0
    code, out, _err = psm("--db", str(initialised), "migrate")
    assert (code, out) == (0, "0 migration(s) applied\n")
