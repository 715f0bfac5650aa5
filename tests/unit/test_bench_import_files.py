"""The bench's import files pass ``psm import cases --dry-run`` with no refusal (no timings here:
speed is measured by ``python -m bench import-check``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.import_files import NIK_SERIAL_START, write
from psm_tui.core.dto import Actor
from tests.files import import_path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_fifty_rows_check_clean(admin: Actor, tmp_path: Path, suffix: str) -> None:
    path = write(tmp_path / f"kasus{suffix}", 50, seed=4)
    result = import_path(admin, "cases", path, dry_run=True)
    assert result.refusals == []
    assert (result.rows, result.valid, result.already_imported) == (50, 50, 0)
    assert result.new_clients == 50
    assert result.format == suffix[1:]


def test_same_seed_same_file_and_fresh_niks(tmp_path: Path) -> None:
    first = write(tmp_path / "a.csv", 200, seed=9).read_bytes()
    assert write(tmp_path / "b.csv", 200, seed=9).read_bytes() == first
    assert write(tmp_path / "c.csv", 200, seed=10).read_bytes() != first
    niks = [line.split(b";")[1] for line in first.splitlines()[1:]]
    assert len({n for n in niks if n}) == sum(1 for n in niks if n) > 150
    assert all(int(n[12:]) >= NIK_SERIAL_START for n in niks if n)
