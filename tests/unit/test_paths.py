"""Files psm writes or reads on a user's word never touch SSH keys or the live database."""

from __future__ import annotations

from pathlib import Path

import pytest

from psm_tui.services import maintenance, paths
from psm_tui.services.dto import Actor
from psm_tui.services.errors import ValidationError
from psm_tui.services.exports_files import private_output
from psm_tui.services.import_readers import read_table


@pytest.mark.parametrize("name", [".ssh/authorized_keys", ".ssh/config", "authorized_keys2"])
def test_exports_refuse_ssh_files(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with pytest.raises(ValidationError, match="SSH file"), private_output(target, binary=False):
        pass
    assert not target.exists()


@pytest.mark.sqlite_only
def test_exports_refuse_the_live_database(initialised: Path) -> None:
    before = initialised.read_bytes()
    with pytest.raises(ValidationError, match="live database"):
        paths.check_output_path(initialised)
    for sidecar in (Path(f"{initialised}-wal"), Path(f"{initialised}-shm")):
        with pytest.raises(ValidationError, match="live database"):
            paths.check_output_path(sidecar)
    assert initialised.read_bytes() == before


@pytest.mark.sqlite_only
def test_backup_refuses_an_ssh_folder(admin: Actor, tmp_path: Path) -> None:
    folder = tmp_path / ".ssh"
    folder.mkdir()
    with pytest.raises(ValidationError, match="SSH file"):
        maintenance.backup_database(admin, folder / "authorized_keys")
    assert list(folder.iterdir()) == []


def test_imports_refuse_to_read_ssh_files(tmp_path: Path) -> None:
    key = tmp_path / ".ssh" / "id_ed25519"
    key.parent.mkdir()
    key.write_text("Nama;NIK\nsecret;1\n")
    with pytest.raises(ValidationError, match="SSH file"):
        read_table(key, lambda header: True)


def test_ordinary_files_are_fine(tmp_path: Path) -> None:
    assert paths.check_output_path(tmp_path / "laporan.xlsx") == (tmp_path / "laporan.xlsx")
