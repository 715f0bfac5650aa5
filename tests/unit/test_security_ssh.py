"""SSH keys bound to staff identities with a forced command in authorized_keys."""

from __future__ import annotations

import base64
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from psm_tui.core.dto import Actor
from psm_tui.core.errors import ConflictError, NotFoundError, ValidationError
from psm_tui.ops import ssh_keys
from psm_tui.store.models import AuditLog
from tests.conftest import make_user


def _key(seed: int, comment: str = "siti@laptop") -> str:
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes([seed] * 32)
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}".strip()


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    return tmp_path / "home" / ".ssh" / "authorized_keys"


@pytest.fixture
def staff(admin: Actor) -> Actor:
    make_user(admin, "siti", "operator")
    make_user(admin, "budi", "operator")
    return admin


def test_authorize_writes_the_forced_command_line_privately(staff: Actor, keys: Path) -> None:
    result = ssh_keys.authorize(staff, "siti", _key(1) + "\n", keys)
    blob = _key(1).split()[1]
    expected = f'command="psm --as siti",restrict,pty ssh-ed25519 {blob} siti@laptop'
    assert (result.line, result.changed) == (expected, True)
    assert keys.read_text() == expected + "\n"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.parent.stat().st_mode) == 0o700
    row = AuditLog.get(AuditLog.action == "ssh.authorize")
    assert (row.username, row.entity_id, row.detail) == ("tester", "siti", str(keys))
    assert result.fingerprint in row.changes


def test_authorize_is_idempotent_and_keeps_other_lines(staff: Actor, keys: Path) -> None:
    keys.parent.mkdir(parents=True)
    keys.write_text("# admin's own key\nssh-ed25519 " + _key(9).split()[1] + " admin@desk\n")
    ssh_keys.authorize(staff, "siti", _key(1), keys)
    first = keys.read_text()
    again = ssh_keys.authorize(staff, "siti", _key(1), keys)
    assert again.changed is False
    assert keys.read_text() == first
    ssh_keys.authorize(staff, "siti", _key(2, "siti@desktop"), keys)
    ssh_keys.authorize(staff, "budi", _key(3, ""), keys)
    lines = keys.read_text().splitlines()
    assert lines[:3] == first.splitlines()
    assert len(lines) == 5
    assert lines[4].endswith(_key(3, "").split()[1])
    assert [(b.username, b.comment) for b in ssh_keys.bindings(keys)] == [
        ("siti", "siti@laptop"),
        ("siti", "siti@desktop"),
        ("budi", ""),
    ]
    assert AuditLog.select().where(AuditLog.action == "ssh.authorize").count() == 3


def test_a_different_program_path_replaces_the_line(staff: Actor, keys: Path) -> None:
    ssh_keys.authorize(staff, "siti", _key(1), keys)
    result = ssh_keys.authorize(staff, "siti", _key(1), keys, program="/opt/psm/bin/psm")
    assert result.changed
    assert keys.read_text().count("\n") == 1
    assert keys.read_text().startswith('command="/opt/psm/bin/psm --as siti",restrict,pty ')


def test_one_key_one_identity(staff: Actor, keys: Path) -> None:
    ssh_keys.authorize(staff, "siti", _key(1), keys)
    with pytest.raises(
        ConflictError, match="already bound to siti; first run: psm ssh revoke siti"
    ):
        ssh_keys.authorize(staff, "budi", _key(1, "budi"), keys)
    keys.write_text(keys.read_text() + _key(4, "unrestricted") + "\n")
    with pytest.raises(ConflictError, match="without restriction \\(line 2\\)"):
        ssh_keys.authorize(staff, "budi", _key(4), keys)
    assert [b.username for b in ssh_keys.bindings(keys)] == ["siti"]


def test_revoke_removes_only_that_users_keys(staff: Actor, keys: Path) -> None:
    ssh_keys.authorize(staff, "siti", _key(1), keys)
    ssh_keys.authorize(staff, "budi", _key(2), keys)
    ssh_keys.authorize(staff, "siti", _key(3), keys)
    removed = ssh_keys.revoke(staff, "siti", keys)
    assert len(removed) == 2
    assert [b.username for b in ssh_keys.bindings(keys)] == ["budi"]
    with pytest.raises(NotFoundError, match="No key is bound to siti"):
        ssh_keys.revoke(staff, "siti", keys)
    row = AuditLog.get(AuditLog.action == "ssh.revoke")
    assert (row.entity_id, row.changes.count("SHA256:")) == ("siti", 2)


def test_revoke_does_not_match_a_longer_name(staff: Actor, keys: Path) -> None:
    make_user(staff, "siti2", "viewer")
    ssh_keys.authorize(staff, "siti2", _key(5), keys)
    with pytest.raises(NotFoundError):
        ssh_keys.revoke(staff, "siti", keys)
    assert [b.username for b in ssh_keys.bindings(keys)] == ["siti2"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n", "private key; give the .pub file"),
        ("", "exactly one public key \\(found 0 lines\\)"),
        (_key(1) + "\n" + _key(2), "exactly one public key \\(found 2 lines\\)"),
        ("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "Not an OpenSSH public key"),
        ('command="sh" ' + _key(1), "Not an OpenSSH public key"),
        ("ssh-ed25519 not*base64", "not valid base64"),
        ("ssh-rsa " + _key(1).split()[1], "does not match its type ssh-rsa"),
        ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", "does not match its type"),
    ],
)
def test_invalid_keys_are_refused(staff: Actor, keys: Path, text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ssh_keys.authorize(staff, "siti", text, keys)
    assert not keys.exists()


def test_names_must_be_registered_and_safe_in_a_command(staff: Actor, keys: Path) -> None:
    with pytest.raises(NotFoundError, match="Unknown user ghost"):
        ssh_keys.authorize(staff, "ghost", _key(1), keys)
    with pytest.raises(ValidationError, match=r"User name siti\",no-pty is not allowed"):
        ssh_keys.authorize(staff, 'siti",no-pty', _key(1), keys)
    with pytest.raises(ValidationError, match="cannot be used in a forced command"):
        ssh_keys.authorize(staff, "siti", _key(1), keys, program='psm" ; sh "')
    assert not keys.exists()


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
def test_real_keys_and_fingerprints_match_ssh_keygen(
    staff: Actor, keys: Path, tmp_path: Path
) -> None:
    for kind in ("ed25519", "rsa", "ecdsa"):
        private = tmp_path / f"id_{kind}"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", kind, "-N", "", "-C", f"siti {kind}", "-f", str(private)],
            check=True,
        )
        result = ssh_keys.authorize(staff, "siti", private.with_suffix(".pub").read_text(), keys)
        shown = subprocess.run(
            ["ssh-keygen", "-l", "-f", str(private.with_suffix(".pub"))],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()[1]
        assert result.fingerprint == shown
        with pytest.raises(ValidationError, match="private key"):
            ssh_keys.authorize(staff, "siti", private.read_text(), keys)
    assert [b.comment for b in ssh_keys.bindings(keys)] == [
        "siti ed25519",
        "siti rsa",
        "siti ecdsa",
    ]


def test_default_file_is_the_service_accounts() -> None:
    with pytest.raises(ValidationError, match="No service account is set"):
        ssh_keys.default_file("")
    with pytest.raises(ValidationError, match="not a user of this server"):
        ssh_keys.default_file("no-such-account-psm")
    home = pwd.getpwuid(0).pw_dir
    assert ssh_keys.default_file(pwd.getpwuid(0).pw_name) == Path(home) / ".ssh/authorized_keys"
