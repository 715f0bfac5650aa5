"""Issue 16, acceptance 2: every document psm makes prints as it should, checked the way a person
would print it: LibreOffice opens the workbooks (headless, as PDF), ``pdftoppm`` draws the first
page of each PDF, and the test checks the pages: counted, A4, and the workbook's own "Halaman x
dari y" agreeing with LibreOffice's count (a list not fitted to the page width spills onto extra
pages). Slow (LibreOffice starts once for all the workbooks): one test, in the SQLite run only.
Without ``soffice`` or ``pdftoppm`` (Debian: libreoffice-calc, poppler-utils; ``.ci/run``
installs them) it skips and says which is missing.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from psm_tui.cli import main
from psm_tui.core import clock, reports
from psm_tui.store.models import FollowUp

pytestmark = pytest.mark.render
A4_RATIO = 297 / 210
DPI = 40


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (Debian: apt-get install {PACKAGES[name]})")
    return found


PACKAGES = {"soffice": "libreoffice-calc", "pdftoppm": "poppler-utils"}


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


def first_page_png(pdftoppm: str, pdf: Path) -> tuple[int, int]:
    """Draw page 1 of ``pdf``, as ``pdftoppm`` does for a person looking at it."""
    stem = pdf.with_suffix("")
    subprocess.run(
        [pdftoppm, "-png", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile", pdf, stem],
        check=True,
        timeout=120,
    )
    return png_size(stem.with_suffix(".png"))


def a4(size: tuple[int, int], *, landscape: bool) -> bool:
    """A page of A4 at ``DPI`` (within a pixel's rounding), the right way round."""
    width, height = sorted(size) if not landscape else sorted(size, reverse=True)
    long, short = max(size), min(size)
    return (
        (width, height) == size
        and abs(short - 210 / 25.4 * DPI) <= 2
        and abs(long / short - A4_RATIO) < 0.01
    )


def psm(database: Path, *args: str) -> None:
    main(["--db", str(database), "--lang", "id", *args])


def test_every_document_renders_to_a4_pages(demo_db: Path, tmp_path: Path) -> None:
    soffice, pdftoppm = tool("soffice"), tool("pdftoppm")
    month = f"{reports.add_months(clock.today().replace(day=1), -1):%Y-%m}"
    made = tmp_path / "made"
    made.mkdir()
    followup = FollowUp.select(FollowUp.id).order_by(FollowUp.id).first().id
    psm(demo_db, "export", "incentive", "--month", month, "-o", str(made / "nominatif.pdf"))
    psm(demo_db, "export", "incentive", "--month", month, "-o", str(made / "nominatif.xlsx"))
    psm(demo_db, "export", "report", "--month", month, "-o", str(made / "laporan.xlsx"))
    psm(demo_db, "letter", str(followup), "-o", str(made / "rujukan.pdf"))

    rendered = tmp_path / "rendered"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(rendered),
            str(made / "nominatif.xlsx"),
            str(made / "laporan.xlsx"),
        ],
        check=True,
        timeout=600,
        capture_output=True,
    )
    pdfs = {
        "nominatif.pdf": made / "nominatif.pdf",
        "rujukan.pdf": made / "rujukan.pdf",
        "nominatif.xlsx": rendered / "nominatif.pdf",
        "laporan.xlsx": rendered / "laporan.pdf",
    }
    pages = {name: len(PdfReader(pdf).pages) for name, pdf in pdfs.items()}
    sizes = {name: first_page_png(pdftoppm, pdf) for name, pdf in pdfs.items()}

    assert pages["rujukan.pdf"] == 1  # a letter fits its page
    assert a4(sizes["rujukan.pdf"], landscape=False)
    # The daftar nominatif, A4 portrait both ways; the workbook fitted to the page width: its
    # first and last columns on page 1 (a spilled column would start a page of its own), the
    # amounts as the file formats them (not this machine's locale), the pages numbered.
    assert pages["nominatif.pdf"] > 1 and a4(sizes["nominatif.pdf"], landscape=False)
    assert pages["nominatif.xlsx"] > 1 and a4(sizes["nominatif.xlsx"], landscape=False)
    page_one = PdfReader(pdfs["nominatif.xlsx"]).pages[0].extract_text()
    assert f"Halaman 1 dari {pages['nominatif.xlsx']}" in page_one
    assert re.search(r"^No\. Nama NIK .* Tanda tangan$", page_one, re.MULTILINE), page_one
    assert "DAFTAR NOMINATIF" in page_one and " 500.000" in page_one
    # The monthly report workbook: a page per sheet at least, each numbered
    assert pages["laporan.xlsx"] >= 1
    assert any(a4(sizes["laporan.xlsx"], landscape=side) for side in (False, True))
    first = PdfReader(pdfs["laporan.xlsx"]).pages[0].extract_text()
    assert re.search(r"Halaman 1 dari \d+", first), first
