"""Run by ``test_server_acceptance`` inside a private mount namespace (never on its own).

Its name does not start with ``test_``, so the suite does not collect it; it refuses to mount
anything unless it is in a mount namespace of its own.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from tests.deploy.installing import INSTALL, install_env

WORK = Path(os.environ.get("PSM_SERVER_NAMESPACE", "/nonexistent"))
README = Path(__file__).resolve().parents[2] / "README.md"
PSM = "/usr/local/bin/psm"
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"


def _own_namespace() -> bool:
    """Not the namespace of the test that started us (which names its own)."""
    outer = os.environ.get("PSM_OUTER_MOUNT_NS")
    return bool(outer) and os.readlink("/proc/self/ns/mnt") != outer


def _fresh(folder: str) -> None:
    """An empty folder over ``folder``; ``/etc`` and ``/usr/local/bin`` keep a copy of theirs."""
    if folder in ("/etc", "/usr/local/bin"):
        copy = WORK / folder.strip("/").replace("/", "-")
        shutil.copytree(folder, copy, symlinks=True)
        subprocess.run(["mount", "--bind", str(copy), folder], check=True)
    else:
        Path(folder).mkdir(exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", folder], check=True)


def as_psm(*args: str, given: str = "") -> subprocess.CompletedProcess[str]:
    """The installed psm as the service account, as the nightly job runs it."""
    return subprocess.run(
        [RUNUSER, "-u", "psm", "--", PSM, *args],
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home/psm", "PSM_LANG": "en"},
        cwd="/",
        input=given,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _keygen(path: Path, comment: str) -> Path:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
    )
    path.with_suffix(".pub").chmod(0o644)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    """The namespace's server, installed by install.sh; sshd as installed, on a free port."""
    if not _own_namespace():
        pytest.skip("run by test_server_acceptance, inside its mount namespace")
    for folder in ("/etc", "/usr/local/bin", "/opt", "/srv", "/home"):
        _fresh(folder)
    done = subprocess.run(
        [str(INSTALL)], env=install_env(), capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    print(done.stdout)
    again = subprocess.run(
        [str(INSTALL)], env=install_env(), capture_output=True, text=True, timeout=600
    )
    assert again.returncode == 0 and "changed:" not in again.stdout, again.stdout
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    port = _free_port()
    log = WORK / "sshd.log"
    with log.open("wb") as err:
        # The installed configuration; PAM off only because containers lack what it needs.
        sshd = subprocess.Popen(
            ["/usr/sbin/sshd", "-D", "-e", "-o", f"Port={port}", "-o", "ListenAddress=127.0.0.1",
             "-o", f"PidFile={WORK / 'sshd.pid'}", "-o", "UsePAM=no"],
            stderr=err,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert sshd.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        yield port
    finally:
        sshd.terminate()
        sshd.wait(timeout=10)


def _ssh_config(port: int, key: Path) -> Path:
    """The README's own ``Host dinsos`` block, pointed at this server."""
    block = re.search(r"```\n(Host dinsos\n(?:    .*\n)+)```", README.read_text())
    assert block, "the README has no Host dinsos block"
    config = WORK / "ssh_config"
    config.write_text(
        block.group(1).replace("psm.dinsos.example", "127.0.0.1")
        + f"    Port {port}\n    IdentityFile {key}\n    IdentitiesOnly yes\n"
        "    StrictHostKeyChecking no\n    UserKnownHostsFile /dev/null\n"
        "    BatchMode yes\n    LogLevel ERROR\n    ConnectTimeout 5\n"
    )
    return config


def _open_app(config: Path) -> bytes:
    """``ssh dinsos`` from a terminal: the app's first screen, then ``q``."""
    import pty

    pid, master = pty.fork()
    if pid == 0:
        os.execvpe("ssh", ["ssh", "-F", str(config), "dinsos"], {**os.environ, "PSM_LANG": "en"})
    seen = bytearray()
    try:
        deadline = time.monotonic() + 60
        while b"Commands" not in seen:
            assert time.monotonic() < deadline, bytes(seen[-800:])
            if select.select([master], [], [], 0.2)[0]:
                try:
                    seen.extend(os.read(master, 65536))
                except OSError:
                    break
        os.write(master, b"q")
        deadline = time.monotonic() + 30
        while os.waitpid(pid, os.WNOHANG)[0] == 0:
            assert time.monotonic() < deadline, "the app did not quit"
            with contextlib.suppress(OSError):
                os.read(master, 65536)
            time.sleep(0.1)
    finally:
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(master)
    return bytes(seen)


def test_installed_psm_over_ssh_and_check(server: int) -> None:
    assert os.path.realpath(PSM).startswith("/opt/psm-tui/")
    for args in (("user", "add", "siti", "--role", "supervisor", "--full-name", "Siti Aminah"),):
        done = as_psm(*args)
        assert done.returncode == 0, done.stderr
    key = _keygen(WORK / "siti", "siti@laptop")
    bound = as_psm("ssh", "authorize", "siti", "-", given=key.with_suffix(".pub").read_text())
    assert bound.returncode == 0, bound.stderr
    keys = Path("/home/psm/.ssh/authorized_keys")
    assert keys.read_text().startswith('command="psm --as siti",restrict,pty ')
    config = _ssh_config(server, key)

    screen = _open_app(config)
    assert b"Commands" in screen

    sheet = subprocess.run(
        ["ssh", "-F", str(config), "dinsos", "export", "cases", "--format", "xlsx"],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
    )  # fmt: skip
    assert sheet.returncode == 0, sheet.stderr.decode()
    assert zipfile.ZipFile(io.BytesIO(sheet.stdout)).testzip() is None
    openpyxl.load_workbook(io.BytesIO(sheet.stdout))
    with sqlite3.connect("/srv/psm/psm.db") as con:  # the installed config's database
        exports = con.execute(
            "SELECT COUNT(*) FROM audit_log WHERE username = 'siti' AND action LIKE 'export%'"
        ).fetchone()[0]
    assert exports >= 1

    check = as_psm("check", "--json")
    assert check.returncode == 0, check.stdout + check.stderr
    items = {item["name"]: item for item in json.loads(check.stdout)["checks"]}
    assert items["ssh_keys"]["detail"].endswith("1 key(s), each bound to a person")
    assert items["sshd"]["detail"] == "password logins off for psm"
    assert items["last_backup"]["ok"]  # the install's first backup

    with keys.open("a") as extra:
        extra.write(key.with_suffix(".pub").read_text().replace("siti@laptop", "by-hand"))
    check = as_psm("check", "--json")
    assert check.returncode == 1, check.stdout + check.stderr
    items = {item["name"]: item for item in json.loads(check.stdout)["checks"]}
    assert not items["ssh_keys"]["ok"]
    assert "line 2: no forced command" in items["ssh_keys"]["detail"]
    listed = as_psm("ssh", "list")
    assert "PROBLEM line 2" in listed.stdout and "by-hand" in listed.stdout
