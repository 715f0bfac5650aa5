"""Writing tables to files row by row, so a 100,000-row export never sits in memory.

Identifiers (NIK, No. KK, phone numbers) are the reason this module exists. A spreadsheet that
opens a CSV guesses types: ``3671012301900001`` becomes ``3.67101E+15`` and its last digit is lost
for good; ``0812...`` loses its leading zero. Two CSV styles answer two readers:

* **spreadsheet** (the default): headers in the user's language, identifiers written as the
  formula ``="3671012301900001"``, which Excel, LibreOffice and Google Sheets show as the exact
  text; user text that starts like a formula (``= + - @``) gets a leading ``'`` so it cannot run
  (CSV injection).
* **plain** (``--plain``): stable English column keys and the raw values, for scripts and imports.

XLSX (:mod:`exports_xlsx`) needs no trick: identifiers are text cells. Spreadsheet CSV files
start with a UTF-8 BOM so Excel reads the accents; they are comma-separated (for Excel on a
semicolon locale, use XLSX).

Where the bytes go (a file, the outbox, standard output) is :mod:`file_output`'s business.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import IO, Protocol

from psm_tui.core.files.cells import formula_safe
from psm_tui.i18n import _
from psm_tui.presentation.tables import Column, ReportTable


class TableSink(Protocol):
    """Where an export's rows go: one or more tables, each with its columns, then rows."""

    def begin(self, key: str, title: str, columns: list[Column], subtitle: str = "") -> None: ...

    def row(self, values: tuple[object, ...], *, total: bool = False, key: str = "") -> None: ...

    def close(self) -> None: ...


def _plain_value(value: object, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return f"{value:%Y-%m}" if kind == "month" else value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _spreadsheet_value(value: object, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    text = _plain_value(value, kind)
    if kind == "id" and text:
        return '="' + text.replace('"', "") + '"'
    return formula_safe(text) if kind == "text" else text


class CsvSink:
    """One table as CSV. ``keyed`` adds a first ``key`` column with each row's stable key
    (a status, a Kemendagri code, ``total``), for scripts reading summaries."""

    def __init__(self, stream: IO[str], *, plain: bool = False, keyed: bool = False) -> None:
        self._writer = csv.writer(stream, lineterminator="\r\n")
        self._plain = plain
        self._keyed = keyed
        self._kinds: list[str] = []

    def begin(self, key: str, title: str, columns: list[Column], subtitle: str = "") -> None:
        if self._kinds:
            raise RuntimeError("CsvSink holds one table; use LongCsvSink for several")
        self._kinds = [c.kind for c in columns]
        header = [c.key if self._plain else c.label for c in columns]
        self._writer.writerow(["key", *header] if self._keyed else header)

    def row(self, values: tuple[object, ...], *, total: bool = False, key: str = "") -> None:
        convert = _plain_value if self._plain else _spreadsheet_value
        cells = [convert(v, k) for v, k in zip(values, self._kinds, strict=True)]
        self._writer.writerow([key, *cells] if self._keyed else cells)

    def close(self) -> None:
        """The stream belongs to the caller."""


class LongCsvSink:
    """Several tables in one CSV, one value per line: table, row, label, column, value.

    The machine-friendly ("tidy") shape: a pivot table in a spreadsheet rebuilds any table.
    """

    def __init__(self, stream: IO[str], *, plain: bool = True) -> None:
        self._writer = csv.writer(stream, lineterminator="\r\n")
        self._plain = plain
        self._table = ""
        self._columns: list[Column] = []
        self._writer.writerow(
            ["table", "row", "label", "column", "value"]
            if plain
            else [_("Table"), _("Row"), _("Label"), _("Column"), _("Value")]
        )

    def begin(self, key: str, title: str, columns: list[Column], subtitle: str = "") -> None:
        self._table, self._columns = key, columns

    def row(self, values: tuple[object, ...], *, total: bool = False, key: str = "") -> None:
        convert = _plain_value if self._plain else _spreadsheet_value
        label = convert(values[0], self._columns[0].kind)
        for column, value in zip(self._columns[1:], values[1:], strict=True):
            self._writer.writerow(
                [
                    self._table,
                    key or label,
                    label,
                    column.key if self._plain else column.label,
                    convert(value, column.kind),
                ]
            )

    def close(self) -> None:
        """The stream belongs to the caller."""


def write_tables(sink: TableSink, tables: list[ReportTable], subtitle: str = "") -> int:
    """Every table into ``sink``; returns the number of rows written."""
    count = 0
    for table in tables:
        sink.begin(table.key, table.title, table.columns, subtitle)
        for row in table.rows:
            sink.row(row.values, total=row.total, key=row.key)
            count += 1
    return count
