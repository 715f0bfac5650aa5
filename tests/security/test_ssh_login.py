"""A real sshd on a loopback port: a key bound with ``psm ssh authorize`` acts as its owner.

The private sshd logs the current OS user in with keys from a temporary ``authorized_keys``;
``PSM_SYSTEM_CONFIG`` (honoured because the test runs as root, who owns the file) makes that
user the service account, so the forced ``psm --as siti`` is allowed and records ``siti``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pwd
import re
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
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


README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_ssh_config(server: Server, key: Path) -> Path:
    """The README's own ``Host dinsos`` block, pointed at the test's sshd and key."""
    text = README.read_text()
    block = re.search(r"```\n(Host dinsos\n(?:    .*\n)+)```", text)
    assert block, "the README has no Host dinsos block"
    lines = block.group(1).replace("psm.dinsos.example", "127.0.0.1")
    lines = lines.replace("    User psm\n", f"    User {server.user}\n")
    config = server.tmp / f"ssh_config_{key.name}"
    config.write_text(
        lines + f"    Port {server.port}\n    IdentityFile {key}\n    IdentitiesOnly yes\n"
        "    StrictHostKeyChecking no\n    UserKnownHostsFile /dev/null\n"
        "    BatchMode yes\n    LogLevel ERROR\n    ConnectTimeout 5\n"
    )
    return config


def _dinsos(config: Path, *command: str, stdin: bytes | None = None) -> tuple[int, bytes, str]:
    done = subprocess.run(
        ["ssh", "-F", str(config), "dinsos", *command],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=60,
    )
    return done.returncode, done.stdout, done.stderr.decode()


@pytest.fixture
def dinsos(server: Server) -> Path:
    """siti's laptop: a key bound to siti, and the README's ssh config."""
    for args in (("init",), ("user", "add", "siti", "--role", "supervisor")):
        done = server.psm(*args)
        assert done.returncode == 0, done.stderr
    key = _keygen(server.tmp / "siti", "siti@laptop")
    bound = server.psm(
        "ssh", "authorize", "siti", f"{key}.pub", "--file", str(server.keys),
        "--program", str(server.tmp / "psm-test"),
    )  # fmt: skip
    assert bound.returncode == 0, bound.stderr
    return _readme_ssh_config(server, key)


def test_files_cross_ssh_byte_for_byte(server: Server, dinsos: Path) -> None:
    assert "RequestTTY yes" not in dinsos.read_text()
    upload = "Nama;Kelurahan;Kategori;NIK\nAni;Poris Plawad;8;3671054101900002\n"
    upload += "Budi;Poris Plawad;8;3671050101800001\nCici;Nowhere;8;\n"
    code, out, err = _dinsos(
        dinsos, "import", "cases", "-", "--skip-invalid", stdin=upload.encode()
    )
    assert code == 0, err
    assert "Imported 2 case(s)" in out.decode()

    code, sheet, err = _dinsos(dinsos, "export", "cases", "--format", "xlsx")
    assert code == 0, err
    assert zipfile.ZipFile(io.BytesIO(sheet)).testzip() is None
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet)).active.iter_rows(values_only=True))
    assert sorted(r[6] for r in rows[1:]) == ["Ani", "Budi"]

    code, _out, err = _dinsos(dinsos, "export", "cases", "--format", "xlsx", "-o", "kasus.xlsx")
    assert code == 0 and "ssh dinsos outbox get kasus.xlsx > kasus.xlsx" in err
    code, fetched, err = _dinsos(dinsos, "outbox", "get", "kasus.xlsx")
    assert code == 0, err
    assert fetched == (server.db.parent / "outbox" / "siti" / "kasus.xlsx").read_bytes()

    code, remote_csv, err = _dinsos(dinsos, "export", "cases", "--plain", "-o", "-")
    local = subprocess.run(
        [str(PSM), "--db", str(server.db), "--as", "siti", "export", "cases", "--plain", "-o", "-"],
        env=server.env, capture_output=True, timeout=30,
    )  # fmt: skip
    assert code == 0 and local.returncode == 0, err
    assert remote_csv == local.stdout and b"\r\r\n" not in remote_csv

    blob = bytes(range(256)) * 512 + b"\n\r\n\x00end"
    code, out, err = _dinsos(dinsos, "outbox", "put", "blob.bin", stdin=blob)
    assert code == 0, err
    assert (server.db.parent / "outbox" / "siti" / "blob.bin").read_bytes() == blob
    code, back, _err = _dinsos(dinsos, "outbox", "get", "blob.bin")
    assert back == blob

    code, _out, err = _dinsos(dinsos, "export", "cases", "-o", str(server.db))
    assert code == 9 and "Over SSH psm does not use paths on the server" in err


def _read_until(master: int, wanted: bytes, seen: bytearray, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        assert time.monotonic() < deadline, bytes(seen[-800:])
        readable, _w, _x = select.select([master], [], [], 0.2)
        if readable:
            try:
                seen.extend(os.read(master, 65536))
            except OSError:
                break
    assert wanted in seen, bytes(seen[-800:])


def _settle(master: int, seen: bytearray, quiet: float = 1.0) -> None:
    """Read the screen until it has been quiet for ``quiet`` seconds."""
    last = time.monotonic()
    while time.monotonic() - last < quiet:
        readable, _w, _x = select.select([master], [], [], 0.1)
        if readable:
            try:
                seen.extend(os.read(master, 65536))
            except OSError:
                return
            last = time.monotonic()


def test_the_app_over_ssh_exports_to_the_outbox(server: Server, dinsos: Path) -> None:
    """``ssh dinsos`` opens the app; an export from Laporan lands in siti's outbox."""
    import pty

    pid, master = pty.fork()
    if pid == 0:
        os.execvpe("ssh", ["ssh", "-tt", "-F", str(dinsos), "dinsos"], server.env)
    seen = bytearray()
    outbox = server.db.parent / "outbox" / "siti"
    try:
        _read_until(master, b"Commands", seen)  # the footer: the first screen is up
        for key in (b"5", b"e", b"\x13"):  # Laporan, export, ctrl+s in the dialog
            _settle(master, seen)
            os.write(master, key)
        deadline = time.monotonic() + 30
        while not (outbox.is_dir() and list(outbox.glob("psm-laporan-*.xlsx"))):
            assert time.monotonic() < deadline, bytes(seen[-800:])
            _settle(master, seen, quiet=0.2)
        _settle(master, seen)
        assert b"Fetch" in seen  # the notification says how to fetch it
        os.write(master, b"q")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and os.waitpid(pid, os.WNOHANG)[0] == 0:
            with contextlib.suppress(OSError):
                os.read(master, 65536)
            time.sleep(0.1)
    finally:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(master)
    code, listing, err = _dinsos(dinsos, "outbox", "list", "--json")
    assert code == 0, err
    names = [entry["name"] for entry in json.loads(listing)]
    assert len(names) == 1 and re.fullmatch(r"psm-laporan-\d{4}-\d{2}\.xlsx", names[0])
    code, book, err = _dinsos(dinsos, "outbox", "get", names[0])
    assert code == 0, err
    assert zipfile.ZipFile(io.BytesIO(book)).testzip() is None
