"""The wheel carries what an installed psm needs: migrations, reference data, the catalog."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv builds the wheel")
def test_wheel_ships_db_and_locale(tmp_path: Path) -> None:
    subprocess.run(
        ["uv", "build", "--wheel", "--out-dir", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for migration in (ROOT / "db" / "migrations").glob("[0-9]*.py"):
        assert f"psm_tui/_db/migrations/{migration.name}" in names
    for csv_file in ("kecamatan", "kelurahan", "ppks_kategori", "opd"):
        assert f"psm_tui/_db/reference/{csv_file}.csv" in names
    assert "psm_tui/locale/id/LC_MESSAGES/psm.mo" in names
