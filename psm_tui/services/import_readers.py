"""Reading the files offices actually produce: CSV or XLSX, any delimiter, any common encoding.

A file becomes a :class:`SourceTable`: the header row (found even below a title row), and the data
rows as text with their spreadsheet row numbers, so a refusal can point at the row the office sees.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from psm_tui.i18n import _
from psm_tui.services.errors import ValidationError
from psm_tui.services.paths import check_input_path

HEADER_SCAN_ROWS = 15
DELIMITERS = (";", ",", "\t", "|")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 .xls format


@dataclass
class SourceTable:
    """The header and the data rows of one file; ``rows`` can be iterated once."""

    path: Path
    format: str
    headers: list[str]
    header_row: int
    rows: Iterator[tuple[int, list[str]]]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    estimated_rows: int | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for closer in self.closers:
            closer()


def read_table(path: Path, is_header: Callable[[list[str]], bool]) -> SourceTable:
    """Open ``path`` as a CSV or XLSX table whose header row satisfies ``is_header``."""
    check_input_path(path)
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as error:
        raise ValidationError(
            _("Cannot read {path}: {error}").format(path=path, error=error.strerror or error)
        ) from None
    if magic == _OLE_MAGIC:
        raise ValidationError(
            _("{path} is an old Excel .xls file; save it as .xlsx or CSV first").format(path=path)
        )
    if magic == _ZIP_MAGIC or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, is_header)
    return _read_csv(path, is_header)


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: a BOM decides; else UTF-8, then Windows-1252, Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, and most consistent, fields.

    Counting beats ``csv.Sniffer`` here: a ``;`` file whose addresses hold commas still splits
    into the same number of fields on every line only with ``;``.
    """
    lines = [line for line in text[:65536].splitlines()[: HEADER_SCAN_ROWS + 5] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = [len(fields) for fields in csv.reader(lines, delimiter=delimiter)]
        wide = [count for count in counts if count > 1]
        if not wide:
            continue
        mode = max(set(wide), key=wide.count)
        score = (wide.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(path: Path, is_header: Callable[[list[str]], bool]) -> SourceTable:
    text, encoding = decode(path.read_bytes())
    delimiter = sniff_delimiter(text)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    numbered = enumerate(records, start=1)
    header_row, headers, rows = _find_header(numbered, is_header, path)
    return SourceTable(
        path,
        "csv",
        headers,
        header_row,
        rows,
        encoding=encoding,
        delimiter=delimiter,
        estimated_rows=max(text.count("\n") - header_row + 1, 0),
    )


def _read_xlsx(path: Path, is_header: Callable[[list[str]], bool]) -> SourceTable:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        raise ValidationError(
            _("{path} is not a readable XLSX file: {error}").format(path=path, error=error)
        ) from None
    for sheet in book.worksheets:
        numbered = enumerate(
            ([cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)), start=1
        )
        try:
            header_row, headers, rows = _find_header(numbered, is_header, path)
        except ValidationError:
            continue
        return SourceTable(
            path,
            "xlsx",
            headers,
            header_row,
            rows,
            sheet=sheet.title,
            estimated_rows=max((sheet.max_row or 0) - header_row, 0) or None,
            closers=[book.close],
        )
    book.close()
    raise _no_header(path)


def cell_text(value: object) -> str:
    """An XLSX cell as the text a person typed.

    A number of 16 or more digits cannot be trusted (spreadsheets keep 15 significant digits), so
    it is given back in scientific notation, which every identifier check refuses.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat(" ", "seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, int | float):
        if abs(value) >= 1e15:
            return format(value, ".15G")
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return format(value, ".15G") if isinstance(value, float) else str(value)
    return str(value)


def _find_header(
    numbered: Iterator[tuple[int, list[str]]], is_header: Callable[[list[str]], bool], path: Path
) -> tuple[int, list[str], Iterator[tuple[int, list[str]]]]:
    """Skip title rows: the header is the first of the first rows that names known columns."""
    for number, values in numbered:
        if is_header(values):
            headers = [v.strip() for v in values]
            while headers and not headers[-1]:
                headers.pop()
            return number, headers, numbered
        if number >= HEADER_SCAN_ROWS:
            break
    raise _no_header(path)


def _no_header(path: Path) -> ValidationError:
    return ValidationError(
        _(
            "No header row found in {path}: the first rows name no known column (Nama, NIK, "
            "Kelurahan, ...)"
        ).format(path=path)
    )


def is_blank(values: Iterable[str]) -> bool:
    return not any(v.strip() for v in values)
