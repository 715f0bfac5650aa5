"""``psm backup|restore|check``, ``psm audit``, ``psm ssh …`` and ``--as``.

Run through ``psm_tui.cli.main``, the real entry point: one line on stderr and an exit status,
never a traceback.
"""

from __future__ import annotations

import base64
import getpass
import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from psm_tui import config
from psm_tui.cli import main
from psm_tui.core import cases, users
from psm_tui.core.dto import Actor
from psm_tui.store.models import AuditLog
from tests.conftest import make_user


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def psm(initialised: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``psm --db <the test database> ARGS`` in-process."""

    def run(*args: str, db: Path | None = None) -> Result:
        capsys.readouterr()
        try:
            main(["--lang", "en", "--db", str(db or initialised), *args])
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def number(admin: Actor) -> str:
    return cases.register_case(
        admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8, nik="3671055501800001"
    ).case.number


def _key(seed: int) -> str:
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes([seed] * 32)
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} siti@laptop\n"


@pytest.mark.sqlite_only
def test_backup_then_check_the_copy(psm: Run, number: str, tmp_path: Path) -> None:
    target = tmp_path / "b.db"
    result = psm("backup", str(target))
    assert result.code == 0, result.err
    written, head = result.out.splitlines()
    assert written.startswith(f"Backup written: {target} (1 cases, ")
    assert written.endswith("mode 0600)")
    # The copy's last audit row, to be kept off the server as an anchor.
    last = (
        sqlite3.connect(target)
        .execute("SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetchone()
    )
    assert head == f"Audit log head: {last[0]}:{last[1]}"
    copy = psm("check", db=target)
    assert copy.code == 0, copy.out
    assert "PROBLEM" not in copy.out


def test_backup_needs_a_supervisor(
    psm: Run, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(admin, "op", "operator")
    monkeypatch.setattr(users, "os_username", lambda: "op")
    result = psm("backup", str(tmp_path / "b.db"))
    assert (result.code, result.out) == (4, "")
    assert result.err == "psm: This needs the supervisor role (you are operator)\n"
    assert not (tmp_path / "b.db").exists()


HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()
print("connected", flush=True)
sys.stdin.read()
"""


@pytest.mark.sqlite_only
def test_restore_refused_while_connected_then_done(
    psm: Run, initialised: Path, number: str, tmp_path: Path
) -> None:
    backup = tmp_path / "b.db"
    assert psm("backup", str(backup)).code == 0
    assert psm("case", "note", number, "after the backup").code == 0
    other = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(initialised)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None and other.stdout.readline() == "connected\n"
        refused = psm("restore", str(backup))
    finally:
        other.communicate("")
    assert refused.code == 5
    assert refused.err.startswith("psm: Others are using the database: 1 (")
    assert refused.err.count("\n") == 1
    done = psm("restore", str(backup))
    assert done.code == 0, done.err
    kept = next(initialised.parent.glob("psm.db.replaced-*"))
    assert done.out == (f"Restored {backup}: 1 cases\nThe replaced database is kept as {kept}\n")
    shown = json.loads(psm("case", "show", number, "--json").out)
    assert "after the backup" not in [n["text"] for n in shown["notes"]]
    assert psm("check").code == 0


@pytest.mark.sqlite_only
def test_check_reports_problems_with_a_non_zero_exit(
    psm: Run, initialised: Path, tmp_path: Path
) -> None:
    healthy = psm("check")
    assert healthy.code == 0
    assert f"Database: {initialised}" in healthy.out
    initialised.chmod(0o644)
    exposed = psm("check")
    assert exposed.code == 1
    assert "PROBLEM  file modes" in exposed.out
    document = json.loads(psm("check", "--json").out)
    assert document["ok"] is False
    modes = next(c for c in document["checks"] if c["name"] == "file_modes")
    assert modes["ok"] is False
    assert modes["detail"].startswith("psm.db 0644")
    assert f"fix with: chmod 600 {initialised}" in modes["detail"]
    assert [c["name"] for c in document["checks"] if not c["ok"]] == ["file_modes"]
    missing = psm("check", db=tmp_path / "none.db")
    assert (missing.code, missing.err) == (
        3,
        f"psm: No database at {tmp_path / 'none.db'}; create it with: psm init\n",
    )
    assert not (tmp_path / "none.db").exists()


@pytest.mark.sqlite_only
def test_a_world_readable_database_is_refused_by_every_command(psm: Run, initialised: Path) -> None:
    initialised.chmod(0o604)
    result = psm("case", "list")
    assert result.code == 2
    assert result.err == (
        f"psm: {initialised} is open to every user of this server; fix it with: "
        f"chmod 600 {initialised}\n"
    )


def test_audit_filters_by_user_case_and_period(
    psm: Run, admin: Actor, number: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(admin, "siti", "operator")
    monkeypatch.setattr(users, "os_username", lambda: "siti")
    assert psm("case", "note", number, "Kunjungan rumah", "--kind", "kunjungan").code == 0
    assert psm("case", "show", number).code == 0
    assert psm("audit").code == 4  # an operator may not read the audit trail
    monkeypatch.setattr(users, "os_username", lambda: "tester")
    rows = json.loads(psm("audit", "--user", "siti", "--json").out)
    assert [(r["user"], r["action"], r["case"]) for r in rows] == [
        ("siti", "case.note", number),
        ("siti", "case.view", number),
        ("siti", "refused", None),
    ]
    assert rows[0]["changes"] == {"kind": [None, "kunjungan"], "text": [None, "Kunjungan rumah"]}
    assert rows[1]["detail"] == "masked NIK"
    assert rows[2]["entity_id"] == "audit.read"
    by_case = json.loads(psm("audit", "--case", number, "--json").out)
    assert [r["action"] for r in by_case] == ["case.create", "case.note", "case.view"]
    today = AuditLog.select().order_by(AuditLog.id.desc()).get().at.date()
    assert json.loads(psm("audit", "--since", str(today), "--user", "siti", "--json").out) == rows
    future = today.replace(year=today.year + 1).isoformat()
    assert json.loads(psm("audit", "--since", future, "--json").out) == []
    assert json.loads(psm("audit", "--until", "2000-01-01", "--json").out) == []
    table = psm("audit", "--case", number)
    assert table.code == 0
    assert "case.note" in table.out
    assert "kunjungan" in table.out
    bad = psm("audit", "--since", "kemarin")
    assert (bad.code, bad.err) == (1, "psm: Date kemarin is not valid; use YYYY-MM-DD\n")


def test_case_show_records_the_view(psm: Run, number: str) -> None:
    shown = json.loads(psm("case", "show", number, "--json").out)
    assert shown["client"]["nik"] == "3671055501800001"
    row = AuditLog.get(AuditLog.action == "case.view")
    assert (row.username, row.case_number, row.detail) == ("tester", number, "full NIK")


def test_ssh_authorize_list_and_revoke(psm: Run, admin: Actor, tmp_path: Path) -> None:
    make_user(admin, "siti", "operator")
    keyfile = tmp_path / "siti.pub"
    keyfile.write_text(_key(1))
    keys = tmp_path / "authorized_keys"
    first = psm("ssh", "authorize", "siti", str(keyfile), "--file", str(keys))
    assert first.code == 0, first.err
    assert first.out.startswith("siti may log in with key SHA256:")
    assert keys.read_text().startswith('command="psm --as siti",restrict,pty ssh-ed25519 ')
    again = psm("ssh", "authorize", "siti", str(keyfile), "--file", str(keys))
    assert again.out.startswith("siti already logs in with key SHA256:")
    listed = json.loads(psm("ssh", "list", "--file", str(keys), "--json").out)
    assert [(k["user"], k["type"], k["comment"]) for k in listed] == [
        ("siti", "ssh-ed25519", "siti@laptop")
    ]
    revoked = psm("ssh", "revoke", "siti", "--file", str(keys))
    assert revoked.code == 0
    assert revoked.out.startswith("revoked SHA256:")
    assert keys.read_text() == ""
    gone = psm("ssh", "revoke", "siti", "--file", str(keys))
    assert (gone.code, gone.err) == (3, f"psm: No key is bound to siti in {keys}\n")
    missing = psm("ssh", "authorize", "siti", str(tmp_path / "nope.pub"), "--file", str(keys))
    assert missing.code == 1
    assert missing.err.startswith("psm: Cannot read ")


@pytest.mark.sqlite_only
def test_ssh_list_shows_a_key_line_added_by_hand(psm: Run, admin: Actor, tmp_path: Path) -> None:
    make_user(admin, "siti", "operator")
    keyfile = tmp_path / "siti.pub"
    keyfile.write_text(_key(1))
    keys = tmp_path / "authorized_keys"
    assert psm("ssh", "authorize", "siti", str(keyfile), "--file", str(keys)).code == 0
    with keys.open("a") as extra:
        extra.write(_key(2).replace("siti@laptop", "by-hand"))
    listed = json.loads(psm("ssh", "list", "--file", str(keys), "--json").out)
    assert [(k["user"], k.get("line"), k["comment"]) for k in listed] == [
        ("siti", None, "siti@laptop"),
        (None, 2, "by-hand"),
    ]
    assert listed[1]["problem"] == "no forced command: a full shell as the service account"
    shown = psm("ssh", "list", "--file", str(keys))
    assert shown.code == 0
    assert "PROBLEM line 2 (SHA256:" in shown.out and "by-hand): no forced command" in shown.out


def test_ssh_without_a_service_account_says_what_to_set(
    psm: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "SYSTEM_CONFIG", tmp_path / "absent.toml")
    keyfile = tmp_path / "k.pub"
    keyfile.write_text(_key(1))
    result = psm("ssh", "authorize", "tester", str(keyfile))
    assert result.code == 1
    assert "No service account is set in" in result.err
    assert "give --file" in result.err


def test_as_works_only_for_the_service_account(
    psm: Run, admin: Actor, number: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(admin, "siti", "operator")
    system = tmp_path / "config.toml"
    system.write_text('service_account = "psm"\n')
    monkeypatch.setattr(config, "SYSTEM_CONFIG", system)
    refused = psm("--as", "siti", "case", "note", number, "hello")
    assert (refused.code, refused.err) == (
        4,
        "psm: --as is only allowed for the service account; you are tester\n",
    )
    monkeypatch.setattr(users, "os_username", lambda: "psm")
    done = psm("--as", "siti", "case", "note", number, "hello")
    assert done.code == 0, done.err
    note = AuditLog.get(AuditLog.action == "case.note")
    assert note.username == "siti"
    refusal = AuditLog.get(AuditLog.action == "refused")
    assert (refusal.username, refusal.detail) == ("tester", "--as siti")


@pytest.mark.sqlite_only
def test_no_traceback_from_a_real_process(initialised: Path, tmp_path: Path) -> None:
    """The entry point in a process of its own, as the real OS user (not registered here):
    refused in one line, and the refusal is in the audit log."""
    if getpass.getuser() == "tester":
        pytest.skip("the OS user is the registered test admin")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "psm_tui",
            "--lang",
            "en",
            "--db",
            str(initialised),
            "backup",
            str(tmp_path / "b.db"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 4
    assert done.stderr.startswith(f"psm: User {getpass.getuser()} is not registered.")
    assert done.stderr.count("\n") == 1
    conn = sqlite3.connect(initialised)
    refused = conn.execute("SELECT username, detail FROM audit_log WHERE action = 'refused'")
    assert list(refused) == [(getpass.getuser(), "not registered")]
    conn.close()
