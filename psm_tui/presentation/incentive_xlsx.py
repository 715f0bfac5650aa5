"""The daftar nominatif as an XLSX finance can print, sign and still edit.

Totals are ``SUM`` formulas, so deleting a row leaves a right total; amounts carry the
Indonesian locale in their format (``[$-421]``), so ``500.000`` prints the same on any PC. The
page is A4 portrait fitted to its width, the header row repeats on every page, the footer says
"Halaman x dari y", and every signature cell is tall enough to sign in.
"""

from __future__ import annotations

from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from psm_tui.core.files.cells import xml_safe
from psm_tui.i18n import _
from psm_tui.presentation.incentive import IncentiveDocument

AMOUNT_FORMAT = "[$-421]#,##0"  # Indonesian grouping (500.000) whatever the reader's locale
TEXT_FORMAT = "@"
ROW_HEIGHT = 30.0  # points: room for a signature, and for a name over two lines
HEADER_HEIGHT = 32.0
SIGNING_SPACE = 60.0  # between a signatory's office and their name
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
MIDDLE = Alignment(vertical="center", wrap_text=True)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
AMOUNT_COLUMN = 8  # H
SHEET_TITLE = "Daftar nominatif"


def write_incentive_xlsx(stream: IO[bytes], doc: IncentiveDocument) -> int:
    """Write the workbook; returns the number of PSM rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    columns = doc.columns()
    width = len(columns)
    for index, (_label, chars) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = chars + 1
    line = 0

    def banner(text: str, font: Font | None = BOLD, height: float | None = None) -> None:
        nonlocal line
        line += 1
        cell = sheet.cell(row=line, column=1, value=xml_safe(text))
        cell.font = font or Font()
        cell.alignment = CENTER
        sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
        if height:
            sheet.row_dimensions[line].height = height

    for text in doc.heading:
        banner(text, Font(bold=True, size=13))
    banner(doc.title.upper(), Font(bold=True, size=12))
    banner(doc.month.upper())
    banner(doc.basis, Font(), 30)
    banner(doc.rule, Font())
    banner(doc.rate, Font())
    line += 2
    header = line
    for index, (label, _chars) in enumerate(columns, start=1):
        cell = sheet.cell(row=header, column=index, value=label)
        cell.font, cell.alignment, cell.border, cell.fill = BOLD, CENTER, BOX, HEADER_FILL
    sheet.row_dimensions[header].height = HEADER_HEIGHT
    first = header + 1
    kecamatan = None
    for number, row in enumerate(doc.rows, start=1):
        line += 1
        if row.kecamatan_code != kecamatan:
            kecamatan = row.kecamatan_code
            _section(sheet, line, width, _("Kecamatan {name}").format(name=row.kecamatan_name))
            line += 1
        _psm_row(sheet, line, number, doc.values(row), row.amount)
    if not doc.rows:
        line += 1
        _section(sheet, line, width, _("nihil: no PSM is due the incentive this month"))
    last = line
    line += 1
    _total_row(sheet, line, width, first, last)
    banner(_("In words: {words}").format(words=doc.total_words), Font(italic=True, bold=True), 30)
    sheet.cell(row=line, column=1).alignment = MIDDLE
    _signatures(sheet, line + 2, width, doc)
    _print_setup(sheet, header)
    book.save(stream)
    return len(doc.rows)


def _section(sheet: Worksheet, line: int, width: int, text: str) -> None:
    cell = sheet.cell(row=line, column=1, value=xml_safe(text))
    cell.font = BOLD
    for column in range(1, width + 1):
        sheet.cell(row=line, column=column).border = BOX
    sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
    sheet.row_dimensions[line].height = 18


def _psm_row(
    sheet: Worksheet, line: int, number: int, texts: tuple[str | None, ...], amount: int
) -> None:
    values: list[object] = [number, *texts, amount, f"{number}. ........"]
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=line, column=column, value=value)
        cell.border = BOX
        cell.alignment = MIDDLE
        if isinstance(value, str):
            cell.value = xml_safe(value)
            cell.data_type = "s"  # a name starting with "=" is text, never a formula
            cell.number_format = TEXT_FORMAT
    sheet.cell(row=line, column=1).alignment = CENTER
    sheet.cell(row=line, column=AMOUNT_COLUMN).number_format = AMOUNT_FORMAT
    signature = sheet.cell(row=line, column=len(values))
    # The usual zigzag: odd numbers sign on the left of the box, even ones on the right.
    signature.alignment = Alignment(horizontal="left" if number % 2 else "right", vertical="center")
    sheet.row_dimensions[line].height = ROW_HEIGHT


def _total_row(sheet: Worksheet, line: int, width: int, first: int, last: int) -> None:
    label = sheet.cell(row=line, column=1, value=_("TOTAL"))
    label.font, label.alignment = BOLD, CENTER
    letter = get_column_letter(AMOUNT_COLUMN)
    total = sheet.cell(
        row=line, column=AMOUNT_COLUMN, value=f"=SUM({letter}{first}:{letter}{max(last, first)})"
    )
    total.font, total.number_format = BOLD, AMOUNT_FORMAT
    for column in range(1, width + 1):
        sheet.cell(row=line, column=column).border = BOX
    sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=AMOUNT_COLUMN - 1)
    sheet.row_dimensions[line].height = 20


def _signatures(sheet: Worksheet, line: int, width: int, doc: IncentiveDocument) -> None:
    """The signatories side by side, the place and date above the last (who pays out)."""
    boxes = doc.signatories
    if not boxes:
        return
    span = width // len(boxes)
    spans = [
        (1 + i * span, width if i == len(boxes) - 1 else (i + 1) * span) for i in range(len(boxes))
    ]
    start, end = spans[-1]
    place = sheet.cell(row=line, column=start, value=xml_safe(doc.place_date))
    place.alignment = CENTER
    sheet.merge_cells(start_row=line, start_column=start, end_row=line, end_column=end)
    titles, names, nips = line + 1, line + 3, line + 4
    lines = max(box.title.count("\n") + 1 for box in boxes)
    sheet.row_dimensions[titles].height = 15 * lines + 4
    sheet.row_dimensions[line + 2].height = SIGNING_SPACE
    for box, (start, end) in zip(boxes, spans, strict=True):
        for row, text, font in (
            (titles, box.title, Font()),
            (names, box.name or "(" + "." * 30 + ")", Font(bold=True, underline="single")),
            (nips, f"NIP. {box.nip}" if box.nip else "NIP.", Font()),
        ):
            cell = sheet.cell(row=row, column=start, value=xml_safe(text))
            cell.font, cell.alignment = font, CENTER
            sheet.merge_cells(start_row=row, start_column=start, end_row=row, end_column=end)


def _print_setup(sheet: Worksheet, header: int) -> None:
    sheet.print_title_rows = f"{header}:{header}"
    sheet.freeze_panes = f"A{header + 1}"
    setup = sheet.page_setup
    setup.orientation = "portrait"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top, sheet.page_margins.bottom = 0.5, 0.6
    sheet.oddFooter.center.text = _("Page &P of &N")  # Halaman &P dari &N
