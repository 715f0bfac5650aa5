"""Reading the files offices actually produce: CSV or XLSX, any delimiter, any common encoding.

A file becomes a :class:`SourceTable`: the header row (found even below a title row), and the data
rows as text with their spreadsheet row numbers, so a refusal can point at the row the office sees.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from psm_tui.core.errors import TooLargeError, ValidationError
from psm_tui.core.files.boundary import DEFAULT_LIMITS, MIB, Limits
from psm_tui.core.files.input import InputFile
from psm_tui.core.validation import safe_display
from psm_tui.i18n import _, format_number

HEADER_SCAN_ROWS = 15
# Cells a row may have (Excel 2003's last column, IV). An XLSX sheet's width comes from its
# farthest cell, and one cell at XFD made every row 16,384 cells (a 5 KB file with a cell at
# XFD1048576 kept a CPU busy for hours): a value beyond it is not read. A CSV line of 60 million
# delimiters is a list of 60 million cells (560 MB): such a line refuses the file.
MAX_ROW_CELLS = 256
DELIMITERS = (";", ",", "\t", "|")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 .xls format


@dataclass
class SourceTable:
    """The header and the data rows of one file; ``rows`` can be iterated once."""

    name: str
    format: str
    headers: list[str]
    header_row: int
    rows: Iterator[tuple[int, list[str]]]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    estimated_rows: int | None = None
    closers: list[Callable[[], object]] = field(default_factory=list)

    def close(self) -> None:
        for closer in self.closers:
            closer()


def read_table(
    source: InputFile, is_header: Callable[[list[str]], bool], limits: Limits = DEFAULT_LIMITS
) -> SourceTable:
    """Open ``source`` as a CSV or XLSX table whose header row satisfies ``is_header``.

    Reading stays within ``limits``: the byte cap is the stream's own, rows are counted as they
    come, and an XLSX archive is measured before anything is unpacked.
    """
    stream = source.stream
    stream.seek(0)
    magic = stream.read(4)
    stream.seek(0)
    if magic == _OLE_MAGIC:
        raise ValidationError(
            _("{path} is an old Excel .xls file; save it as .xlsx or CSV first").format(
                path=safe_display(source.name)
            )
        )
    if magic == _ZIP_MAGIC or source.name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(source, is_header, limits)
    return _read_csv(source, is_header, limits)


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in (see :func:`detect_encoding`)."""
    encoding = detect_encoding(io.BytesIO(data))
    return data.decode(encoding), encoding


def detect_encoding(stream: BinaryIO) -> str:
    """A BOM decides; else UTF-8 if every byte decodes, then Windows-1252, else Latin-1.

    One pass over the stream in chunks, so a 64 MiB file is never held as text twice.
    """
    stream.seek(0)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    else:
        encoding = "utf-8"
    candidates = [encoding, "cp1252"]
    decoders = {name: codecs.getincrementaldecoder(name)() for name in candidates}
    while chunk := stream.read(1024 * 1024):
        for name in list(decoders):
            try:
                decoders[name].decode(chunk)
            except UnicodeDecodeError:
                del decoders[name]
    for name in list(decoders):
        try:
            decoders[name].decode(b"", final=True)
        except UnicodeDecodeError:
            del decoders[name]
    stream.seek(0)
    return next((name for name in candidates if name in decoders), "latin-1")


def _count_lines(stream: BinaryIO) -> int:
    stream.seek(0)
    count = 0
    while chunk := stream.read(1024 * 1024):
        count += chunk.count(b"\n")
    stream.seek(0)
    return count


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


def _csv_rows(records: Iterator[list[str]], name: str) -> Iterator[tuple[int, list[str]]]:
    """Numbered records; a row csv cannot read (a NUL byte, a 131,072-character cell) is one
    clear refusal of the file."""
    number = 0
    try:
        for number, values in enumerate(records, start=1):
            yield number, values
    except csv.Error as error:
        raise ValidationError(
            _("{file}, row {row}: cannot be read ({error}); is this the right file?").format(
                file=safe_display(name), row=number + 1, error=csv_problem(error)
            )
        ) from None


def _narrow_lines(text: Iterable[str], delimiter: str, name: str) -> Iterator[str]:
    """The lines of a CSV, refusing the file at a line of more than MAX_ROW_CELLS cells before
    csv makes a list of them."""
    for number, line in enumerate(text, start=1):
        if line.count(delimiter) >= MAX_ROW_CELLS:
            raise TooLargeError(
                _(
                    "{file}, line {line}: more than {count} cells in one row; is this the "
                    "right file?"
                ).format(file=safe_display(name), line=number, count=format_number(MAX_ROW_CELLS))
            )
        yield line


def csv_problem(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return _("a cell is longer than {count} characters").format(
            count=format_number(csv.field_size_limit())
        )
    if "NUL" in text:
        return _("it holds a NUL byte, so it is not a text file")
    return text


def too_many_rows(name: str, limits: Limits) -> TooLargeError:
    return TooLargeError(
        _("{file} has more than {rows} rows, the most psm imports at once; split it").format(
            file=safe_display(name), rows=format_number(limits.max_rows)
        )
    )


def _read_csv(
    source: InputFile, is_header: Callable[[list[str]], bool], limits: Limits
) -> SourceTable:
    encoding = detect_encoding(source.stream)
    lines = _count_lines(source.stream)
    text = io.TextIOWrapper(source.stream, encoding=encoding, newline="")
    delimiter = sniff_delimiter(text.read(65536))
    text.seek(0)
    records = csv.reader(_narrow_lines(text, delimiter, source.name), delimiter=delimiter)
    numbered = _csv_rows(records, source.name)
    header_row, headers, rows = _find_header(numbered, is_header, source.name)
    rows = _capped(rows, source.name, limits)
    return SourceTable(
        source.name,
        "csv",
        headers,
        header_row,
        rows,
        encoding=encoding,
        delimiter=delimiter,
        estimated_rows=max(lines - header_row + 1, 0),
        closers=[text.detach],
    )


def _check_archive(source: InputFile, limits: Limits) -> None:
    """Measure the XLSX archive before unpacking it: a 15 MB file can unpack to gigabytes."""
    try:
        with zipfile.ZipFile(source.stream) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ValidationError(
            _("{path} is not a readable XLSX file: {error}").format(
                path=safe_display(source.name), error=error
            )
        ) from None
    unpacked = sum(part.file_size for part in parts)
    packed = max(sum(part.compress_size for part in parts), 1)
    strings = sum(part.file_size for part in parts if part.filename.endswith("sharedStrings.xml"))
    if (
        len(parts) > limits.max_parts
        or unpacked > limits.max_unzipped
        or unpacked > limits.max_ratio * max(packed, 64 * 1024)
        or strings > limits.max_shared_strings
    ):
        raise TooLargeError(
            _(
                "{file} unpacks to {size} MiB ({ratio}x its size), more than psm reads at "
                "once; save it as CSV or split it"
            ).format(
                file=safe_display(source.name),
                size=format_number(unpacked // MIB),
                ratio=format_number(unpacked // packed),
            )
        )
    source.stream.seek(0)


def _read_xlsx(
    source: InputFile, is_header: Callable[[list[str]], bool], limits: Limits
) -> SourceTable:
    import openpyxl

    _check_archive(source, limits)
    try:
        book = openpyxl.load_workbook(source.stream, read_only=True, data_only=True)
    except TooLargeError:
        raise
    except Exception as error:
        raise ValidationError(
            _("{path} is not a readable XLSX file: {error}").format(
                path=safe_display(source.name), error=error
            )
        ) from None
    for sheet in book.worksheets:
        width = min(sheet.max_column or MAX_ROW_CELLS, MAX_ROW_CELLS)
        cells = sheet.iter_rows(max_col=width, values_only=True)
        numbered = enumerate((_row_text(row) for row in cells), start=1)
        try:
            header_row, headers, rows = _find_header(numbered, is_header, source.name)
        except ValidationError:
            continue
        rows = _capped(rows, source.name, limits)
        return SourceTable(
            source.name,
            "xlsx",
            headers,
            header_row,
            rows,
            sheet=sheet.title,
            estimated_rows=max((sheet.max_row or 0) - header_row, 0) or None,
            closers=[book.close],
        )
    book.close()
    raise _no_header(source.name)


def _row_text(row: tuple[object, ...]) -> list[str]:
    """An XLSX row's cells as text, without its trailing empty cells (openpyxl pads every row to
    the sheet's width; a blank row costs no conversion)."""
    end = len(row)
    if row.count(None) == end:
        return []
    while row[end - 1] is None:
        end -= 1
    return [cell_text(v) for v in row[:end]]


def _capped(
    rows: Iterator[tuple[int, list[str]]], name: str, limits: Limits
) -> Iterator[tuple[int, list[str]]]:
    """The data rows, refusing the file at the first row past the row cap."""
    for count, row in enumerate(rows, start=1):
        if count > limits.max_rows:
            raise too_many_rows(name, limits)
        yield row


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
    numbered: Iterator[tuple[int, list[str]]], is_header: Callable[[list[str]], bool], name: str
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
    raise _no_header(name)


def _no_header(name: str) -> ValidationError:
    return ValidationError(
        _(
            "No header row found in {path}: the first rows name no known column (Nama, NIK, "
            "Kelurahan, ...)"
        ).format(path=safe_display(name))
    )


def is_blank(values: Iterable[str]) -> bool:
    return not any(v.strip() for v in values)
