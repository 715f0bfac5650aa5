"""``psm check`` on a server: every key line bound, sshd without passwords, a recent backup, and
connected sessions named by the person (issue 18)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from psm_tui.core import clock
from psm_tui.core.dto import Actor
from psm_tui.ops import deployment, health, maintenance, sessions, ssh_audit, ssh_keys
from tests.conftest import make_user

BLOB = "AAAAC3NzaC1lZDI1NTE5AAAAIHh0ZXN0a2V5dGVzdGtleXRlc3RrZXl0ZXN0a2V5"
SAFE = f'command="psm --as siti",restrict,pty ssh-ed25519 {BLOB} siti@laptop'


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The service account's authorized_keys, and a server without sshd."""
    path = tmp_path / "authorized_keys"
    monkeypatch.setattr(ssh_keys, "default_file", lambda account: path)
    monkeypatch.setattr(ssh_audit, "SSHD", tmp_path / "no-sshd")
    return path


def _item(report: maintenance.CheckReport, name: str) -> maintenance.CheckItem:
    return next(item for item in report.items if item.name == name)


def test_every_key_line_must_be_bound_to_a_registered_person(admin: Actor, keys: Path) -> None:
    make_user(admin, "siti", "operator")
    keys.write_text(
        f"# staff keys\n{SAFE}\n\n"
        f"ssh-ed25519 {BLOB} added-by-hand\n"
        f'command="/bin/sh",restrict ssh-ed25519 {BLOB} shell\n'
        f'command="psm --as siti",pty ssh-ed25519 {BLOB} unrestricted\n'
        f'command="psm --as mallory",restrict ssh-ed25519 {BLOB} stranger\n'
    )
    lines = {line.number: line for line in ssh_audit.audit_keys(keys)}
    assert sorted(lines) == [2, 4, 5, 6, 7]
    assert lines[2].username == "siti" and lines[2].problem is None
    assert lines[4].problem == "no forced command: a full shell as the service account"
    assert lines[4].comment == "added-by-hand" and lines[4].fingerprint.startswith("SHA256:")
    assert lines[5].problem == "its forced command is not psm --as NAME"
    assert lines[6].problem == "bound to siti but without restrict"
    assert lines[7].problem == "bound to mallory, who is not a registered user"

    report = health.check_for(admin, service_account="psm")
    item = _item(report, "ssh_keys")
    assert not item.ok and not report.ok
    assert "line 4: no forced command" in item.detail and "line 7: bound to mallory" in item.detail

    keys.write_text(SAFE + "\n")
    item = _item(health.check_for(admin, service_account="psm"), "ssh_keys")
    assert item.ok and "1 key(s), each bound to a person" in item.detail


@pytest.mark.sqlite_only  # the backup item is SQLite's: PostgreSQL is backed up with pg_dump
def test_deployment_items_only_where_a_service_account_is_set(admin: Actor, keys: Path) -> None:
    keys.write_text(f"ssh-ed25519 {BLOB} added-by-hand\n")
    names = {item.name for item in health.check_for(admin).items}
    assert not names & {"ssh_keys", "sshd", "last_backup"}
    names = {item.name for item in health.check_for(admin, service_account="psm").items}
    assert {"ssh_keys", "last_backup"} <= names and "sshd" not in names  # no sshd here


def test_sshd_with_password_logins_for_the_account_is_a_problem(
    admin: Actor, keys: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "sshd"
    answer = tmp_path / "answer"
    fake.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/args\ncat {answer}\n')
    fake.chmod(0o755)
    monkeypatch.setattr(ssh_audit, "SSHD", fake)
    answer.write_text("port 22\npasswordauthentication yes\nkbdinteractiveauthentication no\n")
    item = deployment.sshd_item("psm")
    assert item is not None and not item.ok
    assert item.detail.startswith("passwordauthentication on for psm")
    assert "-C user=psm,host=localhost,addr=127.0.0.1" in (tmp_path / "args").read_text()
    answer.write_text(
        "passwordauthentication no\nkbdinteractiveauthentication no\n"
        "acceptenv COLORTERM\nacceptenv LANG\nacceptenv PSM_LANG\n"
    )
    item = deployment.sshd_item("psm")
    assert item is not None and item.ok
    with answer.open("a") as more:
        more.write("acceptenv PSM_*\n")
    item = deployment.sshd_item("psm")
    assert item is not None and not item.ok
    assert item.detail == (
        "AcceptEnv PSM_* lets a client set PSM_DATABASE, PSM_SYSTEM_CONFIG for psm"
    )


@pytest.mark.sqlite_only
def test_a_backup_older_than_26_hours_is_a_problem(
    admin: Actor, keys: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert deployment.backup_item() == maintenance.CheckItem(
        "last_backup", False, "no backup yet: run psm backup"
    )
    maintenance.backup_database(admin, tmp_path / "b.db")
    assert deployment.backup_item().ok
    later = clock.now() + dt.timedelta(hours=27)
    monkeypatch.setattr(clock, "now", lambda: later)
    item = deployment.backup_item()
    assert not item.ok and "(27 h ago): the nightly backup has not run" in item.detail


def test_a_session_is_named_by_the_forced_commands_person() -> None:
    assert sessions.acting_as(["/opt/psm-tui/venv/bin/python", "psm", "--as", "siti"]) == "siti"
    assert sessions.acting_as(["psm", "--as=budi", "case", "list"]) == "budi"
    assert sessions.acting_as(["psm", "--as", "root\u200b"]) is None
    assert sessions.acting_as(["psm", "case", "list"]) is None


@pytest.mark.sqlite_only
def test_a_supervisor_sees_the_backup_age_but_not_the_key_lines(admin: Actor, keys: Path) -> None:
    supervisor = make_user(admin, "kabid", "supervisor")
    keys.write_text(f"ssh-ed25519 {BLOB} added-by-hand\n")
    report = health.check_for(supervisor, service_account="psm")
    assert _item(report, "ssh_keys").detail == "a problem; ask an admin to run: psm check"
    assert _item(report, "last_backup").detail == "no backup yet: run psm backup"
    assert str(keys) not in repr(report)
