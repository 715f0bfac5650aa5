"""Referral letters and case summaries: the register never repeats a number, the PDF says what
the office signs (number, addressee, client as the role may see them, request, due date), and
every document is in the audit log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader

from psm_tui.config import Settings
from psm_tui.core import assignment, cases, clock, followups, workers
from psm_tui.core.dto import Actor
from psm_tui.core.errors import PermissionDenied, ValidationError
from psm_tui.core.files.output import FileOutput
from psm_tui.core.followups import get_followup
from psm_tui.core.letters import format_number
from psm_tui.presentation.letter_style import LetterStyle
from psm_tui.presentation.letters import write_letter
from psm_tui.store.models import AuditLog, Letter
from tests.conftest import make_user

START = dt.datetime(2026, 11, 20, 9, 0)
NIK = "3671014507800003"
STYLE = LetterStyle(
    letterhead=("PEMERINTAH KOTA TANGERANG", "DINAS SOSIAL", "Jl. Contoh No. 1, Tangerang"),
    place="Tangerang",
    signatory_title="Kepala Dinas Sosial Kota Tangerang",
    signatory_name="Drs. Contoh Pejabat, M.Si.",
    signatory_nip="197001011990031001",
    pattern=Settings.letter_number_pattern,
)


@pytest.fixture
def followup_id(admin: Actor, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(clock, "now", lambda: START)
    workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="Poris Plawad")
    number = cases.register_case(
        admin,
        name="Ibu Sari Wulandari",
        kelurahan="Poris Plawad",
        category=8,
        nik=NIK,
        address="Jl. Melati No. 5",
        description="Lansia tinggal sendiri, sakit.",
    ).case.number
    assignment.assign_case(admin, number, auto=True)
    info = followups.create_followup(
        admin,
        number,
        opd="dinkes",
        action="Daftarkan PBI-JK dan periksa kesehatan.",
        due="2026-12-04",
    )
    return info.id


def _pdf(tmp_path: Path, name: str) -> tuple[str, int]:
    reader = PdfReader(tmp_path / name)
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def _referral(actor: Actor, followup_id: int, tmp_path: Path, name: str) -> str:
    return write_letter(
        actor, "referral", FileOutput(tmp_path, name), STYLE, followup_id=followup_id
    ).number


def test_a_referral_letter_says_what_the_opd_needs(
    admin: Actor, followup_id: int, tmp_path: Path
) -> None:
    number = _referral(admin, followup_id, tmp_path, "rujukan.pdf")
    assert number == "001/Dinsos/XI/2026"
    text, pages = _pdf(tmp_path, "rujukan.pdf")
    assert pages == 1
    for expected in (
        "DINAS SOSIAL",
        "Tangerang, 20 November 2026",
        "001/Dinsos/XI/2026",
        "Head of Dinas Kesehatan",
        "Ibu Sari Wulandari",
        NIK,  # an admin sees the NIK in full
        "Jl. Melati No. 5",
        "Daftarkan PBI-JK dan periksa kesehatan.",
        "by 4 December 2026",
        "Siti Aminah",
        "Drs. Contoh Pejabat, M.Si.",
        "NIP. 197001011990031001",
        "Page 1 of 1",
    ):
        assert expected in text, expected


def test_an_operator_s_letter_masks_the_nik_and_shows_no_birth_date(
    admin: Actor, followup_id: int, tmp_path: Path
) -> None:
    operator = make_user(admin, "ana", "operator")
    _referral(operator, followup_id, tmp_path, "rujukan.pdf")
    text, _pages = _pdf(tmp_path, "rujukan.pdf")
    assert "************0003" in text and NIK not in text


def test_the_register_never_repeats_and_a_rolled_back_letter_gives_its_number_back(
    admin: Actor, followup_id: int, tmp_path: Path
) -> None:
    first = _referral(admin, followup_id, tmp_path, "a.pdf")
    second = _referral(admin, followup_id, tmp_path, "b.pdf")
    # the target exists: the write fails inside the transaction, nothing is registered
    with pytest.raises(Exception, match="exists"):
        _referral(admin, followup_id, tmp_path, "a.pdf")
    third = _referral(admin, followup_id, tmp_path, "c.pdf")
    assert [first, second, third] == [
        "001/Dinsos/XI/2026",
        "002/Dinsos/XI/2026",
        "003/Dinsos/XI/2026",
    ]
    assert [row.number for row in Letter.select().order_by(Letter.id)] == [first, second, third]
    logged = AuditLog.select().where(AuditLog.action == "letter.referral").order_by(AuditLog.id)
    assert [row.entity_id for row in logged] == [first, second, third]


def test_a_viewer_may_not_make_a_referral(admin: Actor, followup_id: int, tmp_path: Path) -> None:
    viewer = make_user(admin, "kadis", "viewer")
    with pytest.raises(PermissionDenied):
        _referral(viewer, followup_id, tmp_path, "x.pdf")
    assert Letter.select().count() == 0
    assert not (tmp_path / "x.pdf").exists()


def test_a_case_summary_lists_follow_ups_and_the_timeline(
    admin: Actor, followup_id: int, tmp_path: Path
) -> None:
    case_number = get_followup(followup_id).case_number
    number = write_letter(
        admin, "summary", FileOutput(tmp_path, "ringkasan.pdf"), STYLE, case_number=case_number
    ).number
    text, pages = _pdf(tmp_path, "ringkasan.pdf")
    assert pages == 1
    for expected in (
        "CASE SUMMARY",
        f"Number: {number}",
        case_number,
        "Lansia tinggal sendiri, sakit.",
        "Dinkes",
        "Daftarkan PBI-JK",
        "Siti Aminah",
        "Prepared by,",
        "Page 1 of 1",
    ):
        assert expected in text, expected
    assert AuditLog.get(AuditLog.action == "letter.summary").case_number == case_number


def test_the_number_pattern_is_configurable_and_checked() -> None:
    day = dt.date(2026, 4, 9)
    assert format_number("{n:04d}/DINSOS/{month:02d}/{year}", 7, day) == "0007/DINSOS/04/2026"
    assert format_number(Settings.letter_number_pattern, 12, day) == "012/Dinsos/IV/2026"
    with pytest.raises(ValidationError, match="cannot be used"):
        format_number("{nomor}/{year}", 1, day)


def test_a_long_timeline_runs_onto_numbered_pages(
    admin: Actor, followup_id: int, tmp_path: Path
) -> None:
    case_number = get_followup(followup_id).case_number
    for index in range(60):
        cases.add_note(admin, case_number, f"Kunjungan rumah ke-{index}, klien baik.")
    write_letter(admin, "summary", FileOutput(tmp_path, "long.pdf"), STYLE, case_number=case_number)
    text, pages = _pdf(tmp_path, "long.pdf")
    assert pages >= 2
    assert f"Page {pages} of {pages}" in text
    assert "Kunjungan rumah ke-59" in text


def test_the_signature_never_stands_alone_on_a_page(
    admin: Actor, followup_id: int, tmp_path: Path
) -> None:
    """Whatever the length, the closing sentence is on the page that carries the signature."""
    case_number = get_followup(followup_id).case_number
    moved = 0
    for index in range(45):
        cases.add_note(admin, case_number, f"Kunjungan rumah ke-{index}, klien baik.")
        name = f"s{index}.pdf"
        write_letter(admin, "summary", FileOutput(tmp_path, name), STYLE, case_number=case_number)
        pages = [page.extract_text() for page in PdfReader(tmp_path / name).pages]
        signed = [text for text in pages if "Prepared by," in text]
        assert len(signed) == 1
        assert "This summary was prepared truthfully" in signed[0]
        moved += "Kunjungan rumah" not in signed[0] and len(pages) > 1
    assert moved  # some length did push the signature to a page of its own
