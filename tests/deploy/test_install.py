"""``deploy/install.sh`` into a private root (``PSM_INSTALL_ROOT``): idempotent, and
``--uninstall`` keeps the data.

The service account is the user running the test (it exists, so nothing is added to this
machine's accounts); the real server layout is tested by ``test_server_acceptance``.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.installing import INSTALL, install_env, uv_missing

# The install makes a SQLite database: nothing to run again on the PostgreSQL pass.
pytestmark = [pytest.mark.sqlite_only, pytest.mark.skipif(uv_missing(), reason="needs uv")]


def run_install(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = install_env(
        PSM_INSTALL_ROOT=str(root), PSM_SERVICE_USER=pwd.getpwuid(os.getuid()).pw_name
    )
    done = subprocess.run(
        [str(INSTALL), *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def tree(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every path under ``root``: mode, mtime and what it holds (content hash or link target)."""
    state = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        if path.is_symlink():
            held = os.readlink(path)
        elif path.is_file():
            held = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            held = "folder"
        state[str(path.relative_to(root))] = (info.st_mode, info.st_mtime_ns, held)
    return state


def test_a_second_install_changes_nothing_and_uninstall_keeps_the_data(tmp_path: Path) -> None:
    first = run_install(tmp_path)
    assert "installed psm from" in first.stdout
    program = tmp_path / "opt/psm-tui/venv/bin/psm"
    assert os.readlink(tmp_path / "usr/local/bin/psm") == str(program)
    assert (tmp_path / "srv/psm").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "srv/psm/psm.db").is_file()
    assert list((tmp_path / "srv/psm/backups").glob("psm-*.db"))
    assert 'service_account = "' in (tmp_path / "etc/psm-tui/config.toml").read_text()
    dropin = (tmp_path / "etc/ssh/sshd_config.d/psm-tui.conf").read_text()
    assert "Match User " in dropin and "PasswordAuthentication no" in dropin
    assert (tmp_path / "etc/systemd/system/psm-tui-nightly.timer").is_file()
    # The installed program runs from its own venv, not from this checkout's.
    version = subprocess.run(
        [str(program), "--help"], capture_output=True, text=True, timeout=60, check=True
    )
    assert "psm" in version.stdout and "worker" in version.stdout  # its help, in any language
    venv_cfg = (tmp_path / "opt/psm-tui/venv/pyvenv.cfg").read_text()
    assert "/root/" not in venv_cfg and "/home/" not in venv_cfg

    before = tree(tmp_path)
    second = run_install(tmp_path)
    assert "changed:" not in second.stdout
    assert "nothing changed" in second.stdout
    assert tree(tmp_path) == before

    removed = run_install(tmp_path, "--uninstall")
    assert "removed" in removed.stdout
    assert not (tmp_path / "opt/psm-tui").exists()
    assert not (tmp_path / "usr/local/bin/psm").is_symlink()
    assert not (tmp_path / "etc/ssh/sshd_config.d/psm-tui.conf").exists()
    assert (tmp_path / "srv/psm/psm.db").is_file()
    assert list((tmp_path / "srv/psm/backups").glob("psm-*.db"))
    again = run_install(tmp_path, "--uninstall")
    assert "changed:" not in again.stdout


def test_a_newer_checkout_is_installed_and_the_database_migrated(tmp_path: Path) -> None:
    """The upgrade path: the same command from a changed checkout rebuilds psm (not uv's cached
    build of the same version) and runs psm migrate."""
    checkout = tmp_path / "checkout"
    files = (
        subprocess.run(
            ["git", "ls-files", "-z"], cwd=INSTALL.parents[1], capture_output=True, check=True
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, files):
        source = INSTALL.parents[1] / name
        if source.is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, checkout / name)
    root = tmp_path / "root"
    script = checkout / "deploy" / "install.sh"
    env = install_env(
        PSM_INSTALL_ROOT=str(root), PSM_SERVICE_USER=pwd.getpwuid(os.getuid()).pw_name
    )
    subprocess.run([str(script)], env=env, check=True, capture_output=True, timeout=600)
    marker = "\nUPGRADE_MARKER = 1\n"
    with (checkout / "psm_tui" / "__init__.py").open("a") as package:
        package.write(marker)
    upgraded = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=600)
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    assert "changed: installed psm from" in upgraded.stdout
    assert "changed: database migrated" in upgraded.stdout
    installed = list((root / "opt/psm-tui/venv/lib").glob("python3*/site-packages/psm_tui"))
    assert marker in (installed[0] / "__init__.py").read_text()
