"""The PSM incentive (issue 16): both eligibility rules against an independent count, the
payout that cannot happen twice, the amount in words, and the daftar nominatif as finance
receives it (XLSX opened with openpyxl, PDF read back with pypdf)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from psm_tui.config import Settings
from psm_tui.core import clock, incentive, reports, users
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ConflictError, PermissionDenied
from psm_tui.presentation import incentive_pdf
from psm_tui.presentation.exports import ExportRequest
from psm_tui.presentation.incentive import (
    DocumentSettings,
    IncentiveDocument,
    incentive_document,
    terbilang,
)
from psm_tui.presentation.incentive_pdf import write_incentive_pdf
from psm_tui.store.models import AuditLog
from tests.conftest import make_user
from tests.files import export
from tests.raw_sql import RawSql

RATE = 500_000
RATES = (("2017-01", 350_000), ("2020-01", RATE))
LISTED = """SELECT COUNT(*) FROM worker WHERE kind = 'psm'
    AND (joined_on IS NULL OR joined_on <= ?) AND (active OR inactive_on >= ?)"""
ACTIVE = """SELECT COUNT(DISTINCT w.id) FROM worker w
    JOIN activity a ON a.worker_id = w.id
    JOIN assignment s ON s.case_id = a.case_id AND s.worker_id = w.id
        AND s.assigned_at <= a.at AND (s.ended_at IS NULL OR s.ended_at >= a.at)
    WHERE w.kind = 'psm' AND (w.joined_on IS NULL OR w.joined_on <= ?)
    AND (w.active OR w.inactive_on >= ?)
    AND a.kind IN ('catatan', 'kunjungan', 'telepon') AND a.at >= ? AND a.at < ?"""


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Nol rupiah"),
        (500_000, "Lima ratus ribu rupiah"),
        (91_500_000, "Sembilan puluh satu juta lima ratus ribu rupiah"),
        (493_500_000, "Empat ratus sembilan puluh tiga juta lima ratus ribu rupiah"),
    ],
)
def test_amounts_in_words(amount: int, words: str) -> None:
    assert terbilang(amount) == words


def _last_month() -> dt.date:
    return reports.add_months(clock.today().replace(day=1), -1)


@pytest.fixture
def supervisor(demo_db: Path) -> Actor:
    return make_user(users.actor_for("tester"), "bendahara", "supervisor")


def test_both_rules_total_an_independent_count_times_the_rate(
    demo_db: Path, supervisor: Actor
) -> None:
    month = _last_month()
    first, last = month.isoformat(), reports.month_end(month).isoformat()
    raw = RawSql(demo_db)
    listed = int(raw.value(LISTED, last, first))  # type: ignore[call-overload]
    active = int(
        raw.value(ACTIVE, last, first, first, reports.add_months(month, 1).isoformat())  # type: ignore[call-overload]
    )
    raw.close()
    assert 0 < active < listed
    roster = incentive.incentive_list(supervisor, month, rate=RATE, rule="roster")
    worked = incentive.incentive_list(supervisor, month, rate=RATE, rule="activity")
    assert (roster.city.psm, roster.city.eligible, roster.city.amount) == (
        listed,
        listed,
        listed * RATE,
    )
    assert (worked.city.psm, worked.city.eligible, worked.city.amount) == (
        listed,
        active,
        active * RATE,
    )
    assert len(worked.payable) == active and all(r.amount == RATE for r in worked.payable)


def test_a_month_is_paid_out_once(demo_db: Path, supervisor: Actor) -> None:
    month = _last_month()
    data = incentive.incentive_list(supervisor, month, rate=RATE)
    with pytest.raises(ConflictError, match="Prepare the incentive"):
        incentive.pay_out(supervisor, month)
    prepared = incentive.prepare_payout(supervisor, data)
    assert (prepared.status, prepared.psm, prepared.amount) == (
        "prepared",
        data.city.eligible,
        data.city.amount,
    )
    paid = incentive.pay_out(supervisor, month, clock.today())
    assert (paid.status, paid.paid_on, paid.paid_by) == ("paid", clock.today(), "bendahara")
    with pytest.raises(ConflictError, match="already paid out"):
        incentive.pay_out(supervisor, month)
    with pytest.raises(ConflictError, match="already paid out"):
        incentive.prepare_payout(supervisor, data)
    actions = [a.action for a in AuditLog.select().where(AuditLog.entity == "incentive")]
    assert actions == ["incentive.prepare", "incentive.pay"]
    operator = make_user(users.actor_for("tester"), "ops", "operator")
    with pytest.raises(PermissionDenied):
        incentive.prepare_payout(operator, data)


def _document(actor: Actor, tmp_path: Path, fmt: str, rule: str) -> Path:
    path = tmp_path / f"nominatif-{rule}.{fmt}"
    request = ExportRequest(kind="incentive", fmt=fmt, month=_last_month())
    export(actor, request, path, incentive_rates=RATES, incentive_rule=rule)
    return path


def test_the_workbook_finance_receives(demo_db: Path, supervisor: Actor, tmp_path: Path) -> None:
    data = incentive.incentive_list(supervisor, _last_month(), rate=RATE, rule="activity")
    book = openpyxl.load_workbook(_document(supervisor, tmp_path, "xlsx", "activity"))
    sheet = book["Daftar nominatif"]
    texts = [str(c.value) for row in sheet.iter_rows(max_row=12) for c in row if c.value]
    assert texts[:2] == ["PEMERINTAH KOTA TANGERANG", "DINAS SOSIAL"]
    month = f"{_last_month():%B %Y}".upper()
    assert any(month in t for t in texts) and any(t.startswith("Legal basis: ") for t in texts)
    assert any("PSM with a note, home visit or call in the month" in t for t in texts)
    header = next(r for r in sheet.iter_rows() if r[0].value == "No.")[0].row
    assert sheet.print_title_rows == f"${header}:${header}"
    psm_rows = [r for r in sheet.iter_rows(min_row=header + 1) if isinstance(r[0].value, int)]
    assert len(psm_rows) == len(data.payable)  # nobody signs for Rp0
    assert all(r[7].value == RATE and r[7].number_format == "[$-421]#,##0" for r in psm_rows)
    assert all(sheet.row_dimensions[r[0].row].height >= 30 for r in psm_rows)
    assert all(r[8].border.left.style == "thin" for r in psm_rows)
    assert psm_rows[0][2].data_type == "s" and len(psm_rows[0][2].value) == 16  # NIK as text
    assert psm_rows[0][5].value and psm_rows[0][5].value.isdigit()  # account number, in full
    total = sheet.cell(row=psm_rows[-1][0].row + 1, column=8)
    assert total.value == f"=SUM(H{header + 1}:H{psm_rows[-1][0].row})"
    words = sheet.cell(row=total.row + 1, column=1).value
    assert words == f"In words: {terbilang(len(data.payable) * RATE)}"
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (
        "portrait",
        9,
        1,
        0,
    )
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.oddFooter.center.text == "Page &P of &N"


def test_the_pdf_lists_the_payable_and_numbers_its_pages(
    demo_db: Path, supervisor: Actor, tmp_path: Path
) -> None:
    data = incentive.incentive_list(supervisor, _last_month(), rate=RATE, rule="activity")
    reader = PdfReader(_document(supervisor, tmp_path, "pdf", "activity"))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) > 1
    assert "PEMERINTAH KOTA TANGERANG" in pages[0] and "DINAS SOSIAL" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Account number" in text  # the header row on every page
    whole = "\n".join(pages)
    assert f"{len(data.payable)}. ...." in whole and f"{len(data.payable) + 1}. ...." not in whole
    assert data.payable[0].nik in whole  # a NIK on one line
    assert terbilang(len(data.payable) * RATE) in whole.replace("\n", " ")
    assert "Bendahara Pengeluaran" in pages[-1]


def _last_page(doc: IncentiveDocument) -> str:
    stream = io.BytesIO()
    write_incentive_pdf(stream, doc)
    return PdfReader(stream).pages[-1].extract_text()


def test_the_pdf_never_leaves_the_signatures_on_a_page_alone(
    demo_db: Path, supervisor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the number of rows, the last page holds rows of the list, under their header
    row, with the signatures (a page of signatures alone could be stapled to another list)."""
    data = incentive.incentive_list(supervisor, _last_month(), rate=RATE, rule="activity")
    settings = DocumentSettings.from_settings(Settings())
    whole = incentive_document(data, settings, clock.today())
    assert len(whole.rows) >= 45
    lists = [dataclasses.replace(whole, rows=whole.rows[:count]) for count in range(12, 45)]
    for doc in lists:
        last = _last_page(doc)
        assert "Bendahara Pengeluaran" in last and "Account number" in last
        assert f"{len(doc.rows)}. ...." in last
    # Some of those counts needed rows carried over: without it, signatures stand alone.
    monkeypatch.setattr(incentive_pdf, "CARRIED_ROWS", 10**6)
    assert any(f"{len(doc.rows)}. ...." not in _last_page(doc) for doc in lists)
