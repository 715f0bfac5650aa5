"""The daftar nominatif as a PDF (fpdf2): the same document as the XLSX, for printing as is.

A4 portrait, the header row repeated on every page, "Halaman x dari y" at the foot, tall
bordered rows to sign in, the total and the total in words, then the signature block (kept on
one page, and never on a page of its own: a page of signatures alone could be stapled to another
list, so the last PSM rows go over with it). fpdf2's built-in Helvetica is Latin-1 only: a
character outside it prints as ``?`` rather than breaking the document.
"""

from __future__ import annotations

from typing import IO

from fpdf import FPDF
from fpdf.enums import Align, TableCellFillMode
from fpdf.fonts import FontFace

from psm_tui.i18n import _
from psm_tui.presentation.incentive import IncentiveDocument, rupiah_digits

FONT = "Helvetica"
MARGIN = 12.0  # mm
ROW_HEIGHT = 10.0  # mm: room to sign
SIGNATURE_BLOCK = 55.0  # mm the signature block needs on its page
CARRIED_ROWS = 2  # PSM rows that go over to the signatures' page rather than leave it alone
# mm per column (IncentiveDocument.columns), 186 in all: a NIK or account number on one line.
COLUMN_MM = (8.0, 30.0, 25.0, 21.0, 17.0, 24.0, 26.0, 16.0, 19.0)


def latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=8)
        text = _("Page {page} of {pages}").format(page=self.page_no(), pages="{nb}")
        self.cell(0, 5, latin1(text), align=Align.C)


def write_incentive_pdf(stream: IO[bytes], doc: IncentiveDocument) -> int:
    """Write the PDF; returns the number of PSM rows. Laid out a second time, with the last
    rows carried over to a new page, when the signatures would start a page with no PSM row."""
    pdf, alone = _render(doc, carried=0)
    if alone and len(doc.rows) > CARRIED_ROWS:
        pdf, _alone = _render(doc, carried=CARRIED_ROWS)
    stream.write(bytes(pdf.output()))
    return len(doc.rows)


def _render(doc: IncentiveDocument, carried: int) -> tuple[_Pdf, bool]:
    """The document, the last ``carried`` rows on a new page; and whether the signatures stand
    on a page that holds no PSM row."""
    pdf = _Pdf(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(latin1(f"{doc.title} - {doc.month}"))
    pdf.add_page()
    for text in doc.heading:
        _line(pdf, text, 12, "B")
    _line(pdf, doc.title.upper(), 11, "B")
    _line(pdf, doc.month.upper(), 10, "B")
    pdf.ln(1)
    for text in (doc.basis, doc.rule, doc.rate):
        _line(pdf, text, 8)
    pdf.ln(3)
    split = len(doc.rows) - carried
    _table(pdf, doc, 0, split)
    if carried:
        pdf.add_page()
        _table(pdf, doc, split, len(doc.rows))
    rows_end = pdf.page
    _total(pdf, doc)
    pdf.set_font(FONT, "BI", 9)
    words = _("In words: {words}").format(words=doc.total_words)
    pdf.multi_cell(0, 5, latin1(words), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if pdf.get_y() + SIGNATURE_BLOCK > pdf.h - 15:
        pdf.add_page()
    alone = pdf.page != rows_end
    _signatures(pdf, doc)
    return pdf, alone


def _line(pdf: FPDF, text: str, size: float, style: str = "") -> None:
    pdf.set_font(FONT, style, size)
    pdf.multi_cell(0, size * 0.5, latin1(text), align=Align.C, new_x="LMARGIN", new_y="NEXT")


def _table(pdf: FPDF, doc: IncentiveDocument, start: int, end: int) -> None:
    """Rows ``start`` to ``end`` under the header row (repeated on every page), each
    kecamatan's rows under its title; "nihil" when nobody is due."""
    columns = doc.columns()
    pdf.set_font(FONT, size=7)
    grey = FontFace(emphasis="BOLD", fill_color=(217, 217, 217))
    with pdf.table(
        col_widths=COLUMN_MM,
        line_height=3.5,
        min_row_height=ROW_HEIGHT,
        text_align="LEFT",
        headings_style=grey,
        repeat_headings=1,
        cell_fill_mode=TableCellFillMode.NONE,
    ) as table:
        heading = table.row()
        for label, _width in columns:
            heading.cell(latin1(label), align=Align.C)
        kecamatan = None
        for number, row in enumerate(doc.rows[start:end], start=start + 1):
            if row.kecamatan_code != kecamatan:
                kecamatan = row.kecamatan_code
                section = table.row()
                title = _("Kecamatan {name}").format(name=row.kecamatan_name)
                section.cell(latin1(title), colspan=len(columns), style=FontFace(emphasis="B"))
            cells = table.row()
            cells.cell(str(number), align=Align.C)
            for text in doc.values(row):
                cells.cell(latin1(text or "-"))
            cells.cell(rupiah_digits(row.amount), align=Align.R)
            cells.cell(f"{number}. ........", align=Align.L if number % 2 else Align.R)
        if not doc.rows:
            empty = table.row()
            empty.cell(_("nihil: no PSM is due the incentive this month"), colspan=len(columns))


def _total(pdf: FPDF, doc: IncentiveDocument) -> None:
    """The total row, right under the table: a table of its own, so that the page of the last
    PSM row is known before it."""
    bold = FontFace(emphasis="B")
    pdf.set_font(FONT, size=7)
    with pdf.table(
        col_widths=COLUMN_MM,
        line_height=3.5,
        min_row_height=ROW_HEIGHT,
        first_row_as_headings=False,
        cell_fill_mode=TableCellFillMode.NONE,
    ) as table:
        total = table.row()
        total.cell(_("TOTAL"), colspan=len(COLUMN_MM) - 2, align=Align.C, style=bold)
        total.cell(rupiah_digits(doc.total), align=Align.R, style=bold)
        total.cell("")


def _signatures(pdf: FPDF, doc: IncentiveDocument) -> None:
    boxes = doc.signatories
    if not boxes:
        return
    width = (pdf.w - 2 * MARGIN) / len(boxes)
    pdf.set_font(FONT, size=9)
    pdf.set_x(MARGIN + width * (len(boxes) - 1))
    pdf.cell(width, 5, latin1(doc.place_date), align=Align.C)
    pdf.ln(6)
    top = pdf.get_y()
    for index, box in enumerate(boxes):
        x = MARGIN + index * width
        pdf.set_xy(x, top)
        pdf.set_font(FONT, size=9)
        pdf.multi_cell(width, 4.5, latin1(box.title), align=Align.C)
        pdf.set_xy(x, top + 30)
        pdf.set_font(FONT, "BU", 9)
        pdf.cell(width, 5, latin1(box.name or "(" + "." * 30 + ")"), align=Align.C)
        pdf.set_xy(x, top + 35)
        pdf.set_font(FONT, size=9)
        pdf.cell(width, 5, latin1(f"NIP. {box.nip}" if box.nip else "NIP."), align=Align.C)
