"""``psm letter`` and ``psm case print`` through the real entry point: a numbered PDF in a file
or on standard output, every document in the audit log."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from psm_tui.cli import main
from psm_tui.store.models import AuditLog
from tests.cli.test_cli_cases import new_case, ok, psm


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "data" / "psm.db")
    (tmp_path / "data").mkdir()
    ok(path, "init --full-name 'Test Admin'")
    return path


def _followup(db: str) -> tuple[str, str]:
    number = new_case(db)
    followup = ok(db, f"followup new {number} --opd DINKES --action 'Periksa kesehatan'")
    return number, followup


def test_a_letter_and_a_summary_by_cli(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    number, followup = _followup(db)
    code, _out, err = psm(db, f"letter {followup}")
    assert code == 0, err
    assert "Letter 001/Dinsos/" in err and f"rujukan-{followup}.pdf" in err
    text = PdfReader(tmp_path / f"rujukan-{followup}.pdf").pages[0].extract_text()
    assert "Head of Dinas Kesehatan" in text and "Periksa kesehatan" in text

    with CliRunner().isolation() as (out, err, _):
        main(["--lang", "en", "--db", db, "case", "print", number, "-o", "-"])
        pdf, said = out.getvalue(), err.getvalue().decode()
    assert "Letter 002/Dinsos/" in said
    summary = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "CASE SUMMARY" in summary and number in summary
    again = psm(db, f"letter {followup}")
    assert again[0] != 0 and "exists" in again[2]  # the first file is not overwritten
    ok(db, f"letter {followup} --force")
    actions = [row.action for row in AuditLog.select().order_by(AuditLog.id)]
    assert actions.count("letter.referral") == 2 and actions.count("letter.summary") == 1


def test_an_unknown_follow_up_is_one_line(db: str, tmp_path: Path) -> None:
    code, _out, err = psm(db, ["letter", "999", "-o", str(tmp_path / "x.pdf")])
    assert code != 0 and err.strip() == "psm: Follow-up 999 not found"
