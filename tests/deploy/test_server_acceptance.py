"""Issue 18, acceptance 1: install on a clean server, log in over real SSH to the installed psm.

The server is this machine in a private mount namespace: fresh ``/opt``, ``/srv``, ``/home`` and
``/usr/local/bin``, and a copy of ``/etc`` (so the service account, the config and the sshd
drop-in exist only there). ``deploy/install.sh`` runs as it would on the office server; the
scenario (:mod:`tests.deploy.server_scenario`) runs inside the namespace as its own pytest.
Root only: mounts, ``useradd`` and sshd need it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.installing import install_env, uv_missing

SCENARIO = Path(__file__).with_name("server_scenario.py")


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "needs root: a mount namespace, useradd and sshd"
    if not Path("/usr/sbin/sshd").exists() or shutil.which("ssh") is None:
        return "openssh-server and openssh-client are not installed"
    for tool in ("unshare", "runuser", "useradd", "ssh-keygen"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if uv_missing():
        return "install.sh needs uv"
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True)
    if probe.returncode != 0:
        return f"no mount namespace here: {probe.stderr.decode().strip()}"
    return None


@pytest.mark.sqlite_only  # the installed server's database; not again on the PostgreSQL pass
def test_the_installed_psm_serves_staff_over_ssh_and_check_flags_an_unbound_key(
    tmp_path: Path,
) -> None:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "--",
         sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider",
         str(SCENARIO)],
        env=install_env(
            PSM_SERVER_NAMESPACE=str(tmp_path), PSM_OUTER_MOUNT_NS=os.readlink("/proc/self/ns/mnt")
        ),
        cwd=SCENARIO.parents[2],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout
