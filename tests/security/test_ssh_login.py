"""A real sshd on a loopback port: a key bound with ``psm ssh authorize`` acts as its owner.

The private sshd logs the current OS user in with keys from a temporary ``authorized_keys``;
``PSM_SYSTEM_CONFIG`` (honoured because the test runs as root, who owns the file) makes that
user the service account, so the forced ``psm --as siti`` is allowed and records ``siti``.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SSHD = Path("/usr/sbin/sshd")
PSM = Path(sys.executable).parent / "psm"
_SESSION_ENV = (
    "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "PSM_LANG", "PSM_SYSTEM_CONFIG"
)  # fmt: skip


@dataclass(frozen=True)
class Server:
    port: int
    user: str
    db: Path
    keys: Path
    tmp: Path
    env: dict[str, str]

    def psm(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(PSM), "--db", str(self.db), *args],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
        )

    @property
    def login(self) -> str:
        return f"{self.user}@127.0.0.1"

    def ssh(self, key: Path, *command: str) -> subprocess.CompletedProcess[str]:
        options = [
            "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes",
            "-o", "IdentitiesOnly=yes",
            "-o", "ConnectTimeout=5",
            "-o", "LogLevel=ERROR",
            "-F", "/dev/null",
        ]  # fmt: skip
        return subprocess.run(
            ["ssh", "-i", str(key), "-p", str(self.port), *options, "--", self.login, *command],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
        )


def _missing() -> str | None:
    if not SSHD.exists():
        return f"{SSHD} is not installed (openssh-server)"
    for tool in ("ssh", "ssh-keygen"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (openssh-client)"
    if os.geteuid() != 0:
        return "needs root: sshd privilege separation and a root-owned PSM_SYSTEM_CONFIG"
    if not PSM.exists():
        return f"{PSM} is not installed (run through uv)"
    return None


def _keygen(path: Path, comment: str) -> Path:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
    )
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_listening(port: int, sshd: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if sshd.poll() is not None:
            pytest.fail(f"sshd exited with {sshd.returncode}: {log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"sshd is not listening on {port}: {log.read_text()}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    user = pwd.getpwuid(os.getuid()).pw_name
    home = tmp_path / "home"
    home.mkdir()
    system = tmp_path / "system.toml"  # owned by root: the test runs as root
    system.write_text(f'service_account = "{user}"\n')
    system.chmod(0o644)
    env = {
        **os.environ,
        "USER": user,
        "LOGNAME": user,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "PSM_LANG": "en",
        "PSM_SYSTEM_CONFIG": str(system),
    }
    env.pop("PSM_DATABASE", None)
    env.pop("SSH_ORIGINAL_COMMAND", None)
    db = tmp_path / "psm.db"
    # sshd starts each session with a clean environment: the wrapper gives psm the test's.
    wrapper = tmp_path / "psm-test"
    exports = "".join(f"export {name}='{env[name]}'\n" for name in _SESSION_ENV)
    wrapper.write_text(f'#!/bin/sh\n{exports}exec "{PSM}" --db "{db}" "$@"\n')
    wrapper.chmod(0o755)
    keys = tmp_path / "authorized_keys"
    host_key = _keygen(tmp_path / "host_ed25519", "test host")
    port = _free_port()
    sshd_config = tmp_path / "sshd_config"
    sshd_config.write_text(
        f"Port {port}\n"
        "ListenAddress 127.0.0.1\n"
        f"HostKey {host_key}\n"
        f"PidFile {tmp_path / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {keys}\n"
        "UsePAM no\n"
        "StrictModes no\n"
        f"AllowUsers {user}\n"
        "PermitRootLogin prohibit-password\n"
        "PubkeyAuthentication yes\n"
        "PasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\n"
        "LogLevel ERROR\n"
    )
    # systemd-tmpfiles makes it on a booted server; containers often lack it.
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    checked = subprocess.run(
        [str(SSHD), "-t", "-f", str(sshd_config)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    log = tmp_path / "sshd.log"
    with log.open("wb") as err:
        sshd = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(sshd_config)], stderr=err)
    try:
        _wait_listening(port, sshd, log)
        yield Server(port, user, db, keys, tmp_path, env)
    finally:
        sshd.terminate()
        try:
            sshd.wait(timeout=5)
        except subprocess.TimeoutExpired:
            sshd.kill()
            sshd.wait()


def test_a_key_bound_to_siti_registers_a_case_as_siti(server: Server) -> None:
    for args in (("init",), ("user", "add", "siti", "--role", "operator")):
        done = server.psm(*args)
        assert done.returncode == 0, done.stderr
    siti_key = _keygen(server.tmp / "siti", "siti@laptop")
    stranger_key = _keygen(server.tmp / "stranger", "stranger@laptop")
    wrapper = server.tmp / "psm-test"
    bound = server.psm(
        "ssh", "authorize", "siti", f"{siti_key}.pub", "--file", str(server.keys),
        "--program", str(wrapper),
    )  # fmt: skip
    assert bound.returncode == 0, bound.stderr
    assert server.keys.read_text().startswith(f'command="{wrapper} --as siti",restrict,pty ')

    created = server.ssh(
        siti_key, "case", "new", "--name", '"Siti Test"', "--kelurahan", '"Poris Plawad"',
        "--category", "8",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    number = created.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d{4}-\d{6}", number), created.stdout

    smuggled = server.ssh(
        siti_key, "--as", server.user, "user", "add", "mallory", "--role", "admin"
    )
    assert smuggled.returncode == 2, smuggled.stderr
    assert "give a psm command such as: case list (not --as)" in smuggled.stderr

    refused = server.ssh(stranger_key, "case", "list")
    assert refused.returncode == 255
    assert "Permission denied" in refused.stderr

    with sqlite3.connect(server.db) as con:
        rows = con.execute(
            "SELECT username, case_number FROM audit_log WHERE action = 'case.create'"
        ).fetchall()
        client = con.execute(
            'SELECT c.name FROM "case" k JOIN client c ON c.id = k.client_id WHERE k.number = ?',
            (number,),
        ).fetchall()
        staff = [r[0] for r in con.execute("SELECT username FROM staff_user ORDER BY username")]
    assert rows == [("siti", number)]
    assert client == [("Siti Test",)]
    assert "mallory" not in staff
