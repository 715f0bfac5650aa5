"""``psm incentive prepare|pay|list`` and ``psm export incentive`` as PDF, and bank details
through ``psm worker edit|show``, on the demo database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from psm_tui.cli import main
from psm_tui.core import clock, reports


def _run(demo_db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        main(["--db", str(demo_db), "--lang", "en", *args])
        code = 0
    except SystemExit as done:
        code = int(done.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_month_is_prepared_paid_once_and_listed(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    month = f"{reports.add_months(clock.today().replace(day=1), -1):%Y-%m}"
    code, out, _err = _run(demo_db, capsys, "incentive", "prepare", month, "--json")
    prepared = json.loads(out)
    assert code == 0 and prepared["status"] == "prepared" and prepared["rule"] == "roster"
    assert prepared["amount"] == prepared["psm"] * 500_000
    code, out, _err = _run(demo_db, capsys, "incentive", "pay", month)
    assert code == 0 and "paid out" in out
    code, _out, err = _run(demo_db, capsys, "incentive", "pay", month)
    assert code == 5 and f"The incentive for {month} was already paid out" in err
    code, out, _err = _run(demo_db, capsys, "incentive", "list", "--json")
    assert [(p["month"], p["status"], p["paid_by"]) for p in json.loads(out)] == [
        (month, "paid", "tester")
    ]


def test_the_incentive_list_as_pdf(
    demo_db: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "daftar.pdf"
    code, _out, err = _run(
        demo_db, capsys, "export", "incentive", "--rule", "activity", "-o", str(target)
    )
    assert code == 0, err
    first = PdfReader(target).pages[0].extract_text()
    assert "PSM with a note, home visit or call in the month" in first
    code, _out, err = _run(demo_db, capsys, "export", "cases", "-o", str(tmp_path / "c.pdf"))
    assert code != 0 and "Only the incentive list is made as PDF" in err


def test_bank_details_edited_and_shown(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ("worker", "edit", "1", "--bank", "Bank DKI", "--account", "9876543210")
    assert _run(demo_db, capsys, *args)[0] == 0
    _code, out, _err = _run(demo_db, capsys, "worker", "show", "1", "--json")
    assert json.loads(out)["bank"]["account"] == "9876543210"  # the admin sees it in full
