"""The row checker caches each check per distinct cell text: a cached refusal still refuses
every row that has the cell, and a cached value is the one the check gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from psm_tui.core.dto import Actor
from psm_tui.core.imports import rows
from psm_tui.core.imports.run import ImportResult
from tests.files import import_path

HEADER = "Nama;Jenis Kelamin;Tanggal Lahir;Kelurahan;Kategori PPKS;Tanggal Lapor;RT;Keterangan"
BAD = "X;Q;31/02/1980;Atlantis;Bukan Kategori;12/03/24;abc;rusak\x1bteks"
GOOD = "{name};P;12/03/1980;Poris Plawad;Fakir Miskin;05/03/2024;1;Rumah bocor"


def check(actor: Actor, path: Path) -> ImportResult:
    lines = [HEADER, BAD, GOOD.format(name="Siti Aminah"), BAD, GOOD.format(name="Ani Lestari")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return import_path(actor, "cases", path, dry_run=True)


def test_a_bad_cell_repeated_is_refused_on_every_row(admin: Actor, tmp_path: Path) -> None:
    result = check(admin, tmp_path / "dua.csv")
    by_row: dict[int, list[tuple[str, str]]] = {}
    for refusal in result.refusals:
        by_row.setdefault(refusal.row, []).append((refusal.column, refusal.reason))
    assert sorted(by_row) == [2, 4]
    assert by_row[2] == by_row[4]
    columns = {column for column, _reason in by_row[2]}
    assert columns >= {"Nama", "Jenis Kelamin", "Tanggal Lahir", "Kelurahan", "Kategori PPKS"}
    assert columns >= {"Tanggal Lapor", "RT", "Keterangan"}
    assert (result.rows, result.valid) == (4, 2)


def test_the_cache_changes_nothing(
    admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = check(admin, tmp_path / "a.csv")
    monkeypatch.setattr(rows, "CACHE_LIMIT", 0)
    uncached = check(admin, tmp_path / "b.csv")
    assert cached.refusals == uncached.refusals
    assert (cached.valid, cached.new_clients) == (uncached.valid, uncached.new_clients) == (2, 2)


def test_cached_values_are_the_checked_ones(admin: Actor) -> None:
    from psm_tui.core import clock
    from psm_tui.core.imports.columns import CASE_COLUMNS, map_columns

    checker = rows.RowChecker(
        admin, map_columns(HEADER.split(";"), CASE_COLUMNS), "case.create", clock.now()
    )
    first, second = (
        checker.case(n, GOOD.format(name=name).split(";"))
        for n, name in ((2, "Siti  Aminah"), (3, "Siti Aminah"))
    )
    assert isinstance(first, rows.CaseRow) and isinstance(second, rows.CaseRow)
    assert (first.name, first.birth_date, first.reported_at, first.rt) == (
        "Siti Aminah",
        dt.date(1980, 3, 12),
        dt.datetime(2024, 3, 5),
        "001",
    )
    assert (second.name, second.birth_date, second.reported_at, second.rt) == (
        first.name,
        first.birth_date,
        first.reported_at,
        first.rt,
    )


def test_database_lookups_over_many_chunks(
    admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each chunk size's statement is compiled once and reused: over chunks of 3 and 1 row keys,
    known NIKs, their cases' dates and earlier imports are all still found."""
    from psm_tui.core import cases
    from psm_tui.core.imports import plan

    monkeypatch.setattr(plan, "LOOKUP_CHUNK", 3)
    niks = {"Siti Aminah": "3671055203800001", "Budi Santoso": "3671051506750002"}
    for name, nik in niks.items():
        cases.register_case(
            admin,
            name=name,
            kelurahan="Poris Plawad",
            category=24,
            nik=nik,
            reported_at=dt.datetime(2024, 3, 5, 9, 30),
        )
    path = tmp_path / "lagi.csv"
    path.write_text(
        "Nama;NIK;Kelurahan;Kategori;Tanggal Lapor\n"
        + "".join(f"{name};{nik};Poris Plawad;24;05/03/2024\n" for name, nik in niks.items())
        + f"Bambang;{niks['Siti Aminah']};Petir;24;01/01/2024\n"
        + "Ani Lestari;;Petir;24;01/01/2024\n",
        encoding="utf-8",
    )
    checked = import_path(admin, "cases", path, dry_run=True)
    assert [(r.row, r.reason[:4]) for r in checked.refusals] == [
        (2, "Case"),
        (3, "Case"),
        (4, "NIK "),
    ]
    done = import_path(admin, "cases", path, skip_invalid=True)
    assert done.imported == 1
    again = import_path(admin, "cases", path, dry_run=True, skip_invalid=True)
    assert (again.already_imported, again.valid) == (1, 0)
