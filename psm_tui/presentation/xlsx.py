"""XLSX files: a streaming (write-only) openpyxl workbook, one sheet per table.

Identifiers are string cells formatted as text (``@``), so Excel never turns a NIK into
``3.67E+15``; dates are real dates, rupiah amounts numbers with a ``"Rp"#,##0`` format. Every text
cell is forced to the string type: openpyxl would otherwise store user text starting with ``=``
(a name like ``=HYPERLINK(...)``) as a formula. Imported only when an XLSX is written: openpyxl
takes most of a second to import, which every ``psm`` command would otherwise pay.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from psm_tui.core.files.cells import xml_safe
from psm_tui.i18n import _
from psm_tui.presentation.tables import Column

# ``[$-421]`` is Indonesian (LCID 0x421): month names and separators follow the file, not the
# locale of the PC that opens or prints it (LibreOffice honours it fully, Excel for dates).
INDONESIAN = "[$-421]"
XLSX_FORMATS = {
    "int": INDONESIAN + "#,##0",
    "money": INDONESIAN + '"Rp"#,##0',
    "float": INDONESIAN + "#,##0.0",
    "date": INDONESIAN + "DD/MM/YYYY",
    "datetime": INDONESIAN + "DD/MM/YYYY HH:MM",
    "month": INDONESIAN + "MMMM YYYY",
    "id": "@",
    "bar": INDONESIAN + "#,##0",
}
# Columns for programs (codes and ids beside their names): kept in the file, hidden on paper.
TECHNICAL = {"kelurahan_code", "worker_id", "category_code"}
PORTRAIT_WIDTH = 95  # character widths that fit across A4 portrait at 100%
LINE_HEIGHT = 15  # points per line of 11-point text
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)


class XlsxSink:
    """A streaming (write-only) workbook; each table a sheet, ready to print.

    ``document`` sheets get a title row and a subtitle (period, kecamatan) above the header; list
    exports start with the header on row 1 so other programs can read them back directly.
    """

    def __init__(self, stream: IO[bytes], *, document: bool = False) -> None:
        self._book = Workbook(write_only=True)
        self._stream = stream
        self._document = document
        self._sheet: Any = None  # an openpyxl write-only sheet (openpyxl has no types)
        self._factories: list[Callable[[object], object]] = []
        self._header_row = 0
        self._rows = 0  # rows under the header of the current sheet
        self._detail_rows = 0  # ...up to the last one that is not a total
        self._columns: list[Column] = []

    def begin(self, key: str, title: str, columns: list[Column], subtitle: str = "") -> None:
        self._finish()
        sheet = self._book.create_sheet(_sheet_title(title, self._book.sheetnames))
        header_row = self._header_row = 3 if self._document else 1
        self._rows = self._detail_rows = 0
        for index, column in enumerate(columns, start=1):
            dimension = sheet.column_dimensions[get_column_letter(index)]
            dimension.width = column.width + 2
            dimension.hidden = column.key in TECHNICAL
        shown = sum(c.width + 2 for c in columns if c.key not in TECHNICAL)
        sheet.freeze_panes = f"A{header_row + 1}"
        sheet.print_title_rows = f"{header_row}:{header_row}"
        sheet.page_setup.orientation = "landscape" if shown > PORTRAIT_WIDTH else "portrait"
        sheet.page_setup.paperSize = "9"  # A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.horizontalCentered = True
        sheet.oddFooter.left.text = xml_safe(title).replace("&", "&&")
        sheet.oddFooter.right.text = _("Page &P of &N")
        # A wrapped header is as tall as its longest label needs: else it prints over row 1.
        sheet.row_dimensions[header_row].height = LINE_HEIGHT * header_lines(columns) + 2
        if self._document:
            sheet.append([self._cell(sheet, xml_safe(title), TITLE)])
            sheet.append([self._cell(sheet, xml_safe(subtitle), None)])
        sheet.append([self._cell(sheet, c.label, BOLD, _header_alignment(c)) for c in columns])
        self._sheet = sheet
        self._columns = columns
        self._factories = [self._factory(sheet, c.kind) for c in columns]

    def _finish(self) -> None:
        """Close the current sheet's table: "nihil" if it had no row, else an autofilter."""
        if self._sheet is None:
            return
        if self._rows == 0:
            self._sheet.append([self._cell(self._sheet, _("nil"), None)])
        elif self._detail_rows:  # total rows stay out of the filter (and out of sorting)
            last = get_column_letter(len(self._columns))
            end = self._header_row + self._detail_rows
            self._sheet.auto_filter.ref = f"A{self._header_row}:{last}{end}"

    @staticmethod
    def _cell(
        sheet: object, value: object, font: Font | None, alignment: Alignment | None = None
    ) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value)
        if isinstance(value, str):
            cell.data_type = "s"
        if font:
            cell.font = font
        if alignment:
            cell.alignment = alignment
        return cell

    def _factory(self, sheet: object, kind: str) -> Callable[[object], object]:
        """A cell maker per column; plain values where no format is needed (much cheaper)."""
        number_format = XLSX_FORMATS.get(kind)
        if kind in ("int", "bar") and not self._document:
            number_format = None  # long lists: thousands separators are not worth a styled cell

        def make(value: object) -> object:
            if value is None:
                return None
            if isinstance(value, str):
                value = xml_safe(value)
            elif isinstance(value, bool):
                value = _("yes") if value else _("no")
            if number_format is None and not (isinstance(value, str) and value.startswith("=")):
                return value
            cell = WriteOnlyCell(sheet, value)
            if isinstance(value, str):
                cell.data_type = "s"
            if number_format:
                cell.number_format = number_format
            return cell

        return make

    def row(self, values: tuple[object, ...], *, total: bool = False, key: str = "") -> None:
        assert self._sheet is not None
        cells = [make(v) for make, v in zip(self._factories, values, strict=True)]
        if total:
            cells = [self._bold(c) for c in cells]
        self._sheet.append(cells)
        self._rows += 1
        if not total:
            self._detail_rows = self._rows

    def _bold(self, cell: object) -> object:
        if cell is None:
            return None
        bold = cell if isinstance(cell, Cell) else self._cell(self._sheet, cell, None)
        bold.font = BOLD
        return bold

    def close(self) -> None:
        self._finish()
        if not self._book.sheetnames:
            self._book.create_sheet(_("Empty"))
        self._book.save(self._stream)


def _header_alignment(column: Column) -> Alignment:
    """Wrapped, at the top; over a number column right-aligned, above its figures."""
    numeric = column.kind in ("int", "money", "float", "bar")
    return Alignment(wrap_text=True, vertical="top", horizontal="right" if numeric else None)


def header_lines(columns: list[Column]) -> int:
    """Lines the tallest wrapped header label takes in its column (bold text runs wider)."""
    return max((math.ceil(len(c.label) * 1.15 / max(c.width + 1, 1)) for c in columns), default=1)


def _sheet_title(title: str, taken: list[str]) -> str:
    """Excel allows 31 characters and none of ``[]:*?/\\`` in a sheet name."""
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
    name, counter = base, 2
    while name in taken:
        suffix = f" ({counter})"
        name, counter = base[: 31 - len(suffix)] + suffix, counter + 1
    return name
