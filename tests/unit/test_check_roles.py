"""``psm check`` as a supervisor sees it: whether the data holds, not how the server is laid out."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest

from psm_tui.core import users
from psm_tui.core.dto import Actor
from psm_tui.core.errors import PermissionDenied
from psm_tui.ops import health
from psm_tui.ops.maintenance import CheckReport
from psm_tui.store import database
from tests.conftest import make_user

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()
print("connected", flush=True)
sys.stdin.read()
"""


def _items(report: CheckReport) -> dict[str, tuple[bool, str]]:
    return {item.name: (item.ok, item.detail) for item in report.items}


@pytest.mark.sqlite_only
def test_a_supervisor_sees_counts_and_verdicts_without_paths_modes_or_logins(
    initialised: Path, admin: Actor
) -> None:
    supervisor = make_user(admin, "kabid", "supervisor")
    initialised.chmod(0o640)  # a problem both must see
    other = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(initialised)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None and other.stdout.readline() == "connected\n"
        full = health.check_for(admin)
        cut = health.check_for(supervisor)
    finally:
        other.communicate("")
    admin_view, supervisor_view = _items(full), _items(cut)
    assert full.location == str(initialised) and cut.location == "SQLite"
    login = pwd.getpwuid(os.geteuid()).pw_name  # the holder's real owner
    connected, text = admin_view["connections"]
    assert connected and text.startswith(f"1 ({login} (pid {other.pid}, since ")
    assert admin_view["file_modes"][1].startswith("psm.db 0640")
    assert supervisor_view["connections"] == (True, "1")
    assert supervisor_view["file_modes"] == (False, "a problem; ask an admin to run: psm check")
    assert supervisor_view["directory"] == (True, "ok")
    for name in ("integrity", "foreign_keys", "schema", "audit_guard"):
        assert supervisor_view[name] == admin_view[name], name
    assert not cut.ok and list(supervisor_view) == list(admin_view)
    shown = repr(cut)
    assert str(initialised.parent) not in shown and "0640" not in shown


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_viewers_and_operators_are_refused_the_check(
    initialised: Path, admin: Actor, monkeypatch: pytest.MonkeyPatch, role: str
) -> None:
    make_user(admin, "someone", role)
    monkeypatch.setattr(users, "os_username", lambda: "someone")
    with pytest.raises(PermissionDenied, match=f"needs the supervisor role \\(you are {role}\\)"):
        health.checking_actor(None, "")


def test_a_database_without_staff_is_checked_in_full_for_whoever_opened_it(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is set up yet (the first admin is made by init): the file permissions decide."""
    database.open_database(str(db_path))
    monkeypatch.setattr(users, "os_username", lambda: "stranger")
    assert health.checking_actor(None, "") is None
    schema = _items(health.check_for(None))["schema"]
    assert schema == (False, "not set up; run: psm init")
