"""``psm import workers|cases FILE [--dry-run] [--report FILE] [--skip-invalid]``."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from psm_tui.cli import main
from psm_tui.store.models import Case, Worker

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"


def psm(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    try:
        main(["--db", str(db), "--lang", "en", *args])
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_dry_run_says_what_would_happen_and_writes_nothing(
    initialised: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = psm(
        capsys,
        initialised,
        "import",
        "cases",
        str(FIXTURES / "cases_semicolon_bom.csv"),
        "--dry-run",
    )
    assert code == 0, err
    header, summary = out.splitlines()
    assert header == "cases_semicolon_bom.csv (CSV, delimiter ;, utf-8-sig): 3 data row(s)"
    assert summary.startswith(
        "Dry run: would import 3 case(s); nothing written. Clients: 3 new, 0 existing (same "
        "NIK). 1 open case from the file is imported as new: assign it to a PSM."
    )
    assert Case.select().count() == 0


def test_refused_rows_fail_the_import_with_a_report(
    initialised: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "ditolak.csv"
    code, out, err = psm(
        capsys,
        initialised,
        "import",
        "cases",
        str(FIXTURES / "cases_one_bad.csv"),
        "--report",
        str(report),
    )
    assert code == 1
    assert err == (
        "psm: Nothing imported: 1 row(s) refused. Fix them (see --report) or use "
        "--skip-invalid to import the 4 valid row(s).\n"
    )
    assert "  row 4, nik: NIK 3.67105E+15 was turned into a number" in out
    assert "1 refused row(s) written to" in out
    assert Case.select().count() == 0
    with report.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=","))
    assert rows[0] == [
        "nama",
        "nik",
        "kelurahan",
        "kategori ppks",
        "tanggal lapor",
        "row",
        "column",
        "reason",
    ]
    assert rows[1][:6] == [
        "Cici Paramida",
        "3.67105E+15",
        "Petir",
        "Fakir Miskin",
        "03/03/2024",
        "4",
    ]
    assert rows[1][6] == "nik"
    assert rows[1][7].startswith("NIK 3.67105E+15 was turned into a number")
    assert len(rows) == 2


def test_fixed_report_imports_the_rest(
    initialised: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The office's loop: import the good rows, fix the report, import the report."""
    report = tmp_path / "ditolak.csv"
    code, out, _err = psm(
        capsys,
        initialised,
        "import",
        "cases",
        str(FIXTURES / "cases_one_bad.csv"),
        "--skip-invalid",
        "--report",
        str(report),
    )
    assert code == 0
    assert "Imported 4 case(s) (2024-000001 … 2024-000004). 1 row(s) refused." in out
    report.write_text(
        report.read_text(encoding="utf-8-sig").replace("3.67105E+15", "3671054303800001"),
        encoding="utf-8-sig",
    )
    code, out, err = psm(capsys, initialised, "import", "cases", str(report))
    assert code == 0, err
    assert "Imported 1 case(s) (2024-000005 … 2024-000005)." in out
    code, out, _err = psm(
        capsys,
        initialised,
        "import",
        "cases",
        str(FIXTURES / "cases_one_bad.csv"),
        "--skip-invalid",
    )
    assert "Imported 0 case(s). 4 row(s) were already imported and were skipped." in out
    assert Case.select().count() == 5


def test_xlsx_report_keeps_cells_as_text(
    initialised: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    report = tmp_path / "ditolak.xlsx"
    code, _out, _err = psm(
        capsys,
        initialised,
        "import",
        "workers",
        str(FIXTURES / "workers_roster.csv"),
        "--skip-invalid",
        "--report",
        str(report),
    )
    assert code == 0
    sheet = load_workbook(report).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][-3:] == ["row", "column", "reason"]
    assert [r[-3] for r in rows[1:]] == ["6", "7", "9", "10", "11"]
    assert rows[1][2] == "3671051203850002"  # a NIK stays text, not 3.67105E+15
    assert sheet.cell(2, 3).data_type == "s"
    assert Worker.select().count() == 3


def test_unknown_file_is_one_clear_line(
    initialised: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = psm(capsys, initialised, "import", "workers", str(tmp_path / "nope.csv"))
    assert code == 1
    assert err.startswith("psm: Cannot read ") and err.count("\n") == 1
    assert "Traceback" not in out + err
