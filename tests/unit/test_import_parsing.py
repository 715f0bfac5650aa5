"""Reading office files and their cells: encodings, delimiters, headers, dates, sexes, NIKs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from psm_tui.core.errors import ValidationError
from psm_tui.core.files.boundary import DEFAULT_LIMITS
from psm_tui.core.files.input import open_path
from psm_tui.core.imports.columns import (
    CASE_COLUMNS,
    WORKER_COLUMNS,
    header_predicate,
    identifier_text,
    map_columns,
    parse_choice,
    parse_sex,
    parse_when,
)
from psm_tui.core.imports.readers import (
    SourceTable,
    cell_text,
    decode,
    read_table,
    sniff_delimiter,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"


def test_decode_prefers_bom_then_utf8_then_windows_1252() -> None:
    assert decode("\ufeffNama;Désy".encode()) == ("Nama;Désy", "utf-8-sig")
    assert decode("Nama;Désy".encode()) == ("Nama;Désy", "utf-8")
    assert decode("Nama;Désy – x".encode("cp1252")) == ("Nama;Désy – x", "cp1252")
    assert decode("Nama\tÉrna".encode("utf-16")) == ("Nama\tÉrna", "utf-16")
    # 0x81 is undefined in Windows-1252: Latin-1 still reads every byte.
    assert decode(b"Nama \x81") == ("Nama \x81", "latin-1")


def test_delimiter_is_the_one_that_splits_every_line_alike() -> None:
    text = (
        "Nama;Alamat;Kelurahan\nSiti;Jl. Mawar 5, Gg. 2;Petir\nBudi;Jl. Kenanga, No. 1;Gondrong\n"
    )
    assert sniff_delimiter(text) == ";"
    assert sniff_delimiter("Nama,NIK\nSiti,1\n") == ","
    assert sniff_delimiter("Nama\tNIK\nSiti\t1\n") == "\t"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (3671055203800001, "3.6710552038E+15"),  # 16 digits: a spreadsheet cannot hold them
        (3.67101e15, "3.67101E+15"),
        (81234567890, "81234567890"),
        (7.0, "7"),
        (dt.datetime(1980, 3, 12), "1980-03-12"),
        (dt.datetime(2024, 3, 7, 14, 30), "2024-03-07 14:30:00"),
        ("Siti", "Siti"),
    ],
)
def test_xlsx_cells_become_the_text_a_person_typed(value: object, text: str) -> None:
    assert cell_text(value) == text


def _read(path: Path, columns: object) -> SourceTable:
    with open_path(path, DEFAULT_LIMITS.max_bytes) as source:
        table = read_table(source, header_predicate(columns))  # type: ignore[arg-type]
        table.rows = iter(list(table.rows))
        return table


def test_header_found_below_a_title_row() -> None:
    table = _read(FIXTURES / "workers_roster.csv", WORKER_COLUMNS)
    rows = list(table.rows)
    assert table.header_row == 3
    assert table.headers[:3] == ["No", "Nama Lengkap", "NIK"]
    assert rows[0][0] == 4 and rows[0][1][1] == "Ahmad Fauzi"


def test_file_without_a_known_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ValidationError, match="No header row found"):
        _read(path, CASE_COLUMNS)


def test_old_xls_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(ValidationError, match=r"save it as \.xlsx or CSV"):
        _read(path, CASE_COLUMNS)


def test_headers_in_any_language_case_and_order() -> None:
    columns = map_columns(
        [
            "NO",
            "nama lengkap",
            "No. KK",
            "N.I.K",
            "JENIS KELAMIN",
            "Tgl. Lahir",
            "Kel.",
            "Village",
            "Phone",
            "Kategori PPKS",
            "Tanggal Lapor",
            "Catatan lain",
        ],
        CASE_COLUMNS,
    )
    assert columns.index == {
        "name": 1,
        "kk": 2,
        "nik": 3,
        "sex": 4,
        "birth_date": 5,
        "kelurahan": 6,
        "phone": 8,
        "category": 9,
        "reported_at": 10,
    }
    # A second kelurahan column and unknown ones are listed, never silently dropped.
    assert columns.ignored == ["NO", "Village", "Catatan lain"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/03/1980", dt.datetime(1980, 3, 12)),
        ("12-03-1980", dt.datetime(1980, 3, 12)),
        ("12.03.1980", dt.datetime(1980, 3, 12)),
        ("1980-03-12", dt.datetime(1980, 3, 12)),
        ("1980-03-12 00:00:00", dt.datetime(1980, 3, 12)),
        ("07/03/2024 14:30", dt.datetime(2024, 3, 7, 14, 30)),
        ("12 Maret 1980", dt.datetime(1980, 3, 12)),
        ("12-Mar-1980", dt.datetime(1980, 3, 12)),
        ("19800312", dt.datetime(1980, 3, 12)),
        ("44927", dt.datetime(2023, 1, 1)),
        ("45359.5", dt.datetime(2024, 3, 8, 12, 0)),
        ("", None),
    ],
)
def test_dates_as_offices_write_them(text: str, expected: dt.datetime | None) -> None:
    assert parse_when(text, "birth_date") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2024", "Date 31/02/2024 is impossible (day/month/year expected)"),
        ("03/25/2024", "Date 03/25/2024 is impossible (day/month/year expected)"),
        ("01/02/24", "Date 01/02/24 has a two-digit year; write the year in full"),
        ("1980", "1980 is not a date (use dd/mm/yyyy, yyyy-mm-dd or an Excel date)"),
        ("kemarin", "kemarin is not a date (use dd/mm/yyyy, yyyy-mm-dd or an Excel date)"),
    ],
)
def test_impossible_and_ambiguous_dates_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_when(text, "reported_at")
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("L", "L"),
        ("Laki-laki", "L"),
        ("laki laki", "L"),
        ("M", "L"),
        ("Pria", "L"),
        ("P", "P"),
        ("Perempuan", "P"),
        ("F", "P"),
        ("wanita", "P"),
        ("", None),
    ],
)
def test_sex_in_every_usual_spelling(text: str, sex: str | None) -> None:
    assert parse_sex(text) == sex


def test_unknown_sex_is_refused() -> None:
    with pytest.raises(ValidationError, match="Sex X is not L/P"):
        parse_sex("X")


def test_vocabularies_accept_indonesian_and_english() -> None:
    assert parse_choice("Laporan PSM", "source", "source", None) == "laporan_psm"
    assert parse_choice("walk-in", "source", "source", None) == "datang_langsung"
    assert parse_choice("High", "priority", "priority", None) == "tinggi"
    assert parse_choice("Dalam Proses", "status", "status", None) == "ditangani"
    assert parse_choice("", "priority", "priority", "normal") == "normal"
    with pytest.raises(ValidationError, match="sangat is not one of"):
        parse_choice("sangat", "priority", "priority", None)


def test_identifiers_excel_destroyed_are_refused_and_packaging_removed() -> None:
    assert identifier_text("'3671055203800001", "NIK", "nik") == "3671055203800001"
    assert identifier_text('="3671055203800001"', "NIK", "nik") == "3671055203800001"
    with pytest.raises(ValidationError, match=r"3,67101E\+15 was turned into a number"):
        identifier_text("3,67101E+15", "NIK", "nik")
    with pytest.raises(ValidationError, match="has 15 digits instead of 16"):
        identifier_text("367105520380001", "NIK", "nik")
