"""``import_file(actor, "cases", ...)``: what each quirky file imports, refuses, and writes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from psm_tui.core import cases, timeline
from psm_tui.core.case_queries import CaseFilter, list_cases
from psm_tui.core.dto import Actor
from psm_tui.core.errors import PermissionDenied, ValidationError
from psm_tui.core.imports.run import ImportResult
from psm_tui.store.models import Activity, AuditLog, Case, CaseCounter, Client, ImportRecord
from tests.conftest import make_user
from tests.files import import_path

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
SITI_NIK = "3671055203800001"


def run(actor: Actor, name: str | Path, **options: bool) -> ImportResult:
    return import_path(actor, "cases", FIXTURES / name, **options)


def refusals(result: ImportResult) -> list[tuple[int, str, str]]:
    return [(r.row, r.column, r.reason) for r in result.refusals]


def counts() -> dict[str, int]:
    return {
        model.__name__: model.select().count()
        for model in (Case, Client, Activity, AuditLog, ImportRecord, CaseCounter)
    }


def case_of(name: str) -> Case:
    return Case.select().join(Client).where(Client.name == name).get()


def test_semicolon_utf8_bom_indonesian_headers(admin: Actor) -> None:
    result = run(admin, "cases_semicolon_bom.csv")
    assert (result.format, result.delimiter, result.encoding) == ("csv", ";", "utf-8-sig")
    assert (result.rows, result.imported, result.refusals) == (3, 3, [])
    assert result.case_numbers == ["2024-000001", "2024-000002", "2024-000003"]

    siti = case_of("Siti Aminah")
    client = siti.client
    assert (client.nik, client.kk, client.sex, client.birth_date) == (
        SITI_NIK,
        "3671051010100003",
        "P",
        dt.date(1980, 3, 12),
    )
    assert (client.address, client.rt, client.rw, client.phone) == (
        "Jl. Kenanga No. 5, Gg. Mawar",
        "001",
        "002",
        "081234567890",
    )
    assert (siti.number, siti.kelurahan_code, siti.category_code) == (
        "2024-000001",
        "36.71.05.1008",
        24,
    )
    assert (siti.priority, siti.source, siti.status) == ("tinggi", "laporan_psm", "baru")
    assert siti.description == "Rumah bocor, butuh bantuan"
    assert siti.reported_at == dt.datetime(2024, 3, 5)

    budi = case_of("Budi Santoso")
    assert (budi.status, budi.kelurahan_code, budi.category_code) == ("selesai", "36.71.05.1007", 9)
    assert budi.closed_at == budi.reported_at == dt.datetime(2024, 3, 6)
    assert budi.outcome == "Imported as finished; the file gave no outcome"
    assert (budi.client.rt, budi.client.rw) == ("003", "004")

    # An in-progress case of the old file comes in as new, saying so on its timeline.
    ani = case_of("Ani Lestari")
    assert (ani.status, ani.kelurahan_code, ani.priority, ani.source) == (
        "baru",
        "36.71.07.1008",
        "darurat",
        "hotline",
    )
    assert ani.reported_at == dt.datetime(2024, 3, 7, 14, 30)
    assert result.open_as_new == 1
    [event] = Activity.select().where(Activity.case == ani.id)
    assert timeline.render(event.data) == (
        "new: imported from cases_semicolon_bom.csv, row 4; the file said in progress: assign a PSM"
    )


def test_comma_windows_1252_english_headers(admin: Actor) -> None:
    result = run(admin, "cases_comma_cp1252.csv")
    assert (result.delimiter, result.encoding, result.imported) == (",", "cp1252", 2)
    desy = case_of("Désy Ratnasari")
    assert desy.client.address == "Jl. Pinang – Blok C, No. 2"
    assert desy.description == "Janda – tiga anak"
    assert (desy.client.sex, desy.client.phone, desy.client.birth_date) == (
        "P",
        "081311112222",
        dt.date(1990, 8, 7),
    )
    assert (desy.category_code, desy.kelurahan_code, desy.source) == (
        23,
        "36.71.11.1004",
        "datang_langsung",
    )  # WRSE: a legacy name
    andi = case_of("Andi Wijaya")
    assert (andi.category_code, andi.priority, andi.source, andi.client.phone) == (
        8,
        "rendah",
        "laporan_warga",
        "081311112223",
    )
    assert andi.reported_at == dt.datetime(2024, 1, 13)


QUIRK_REFUSALS = [
    (
        2,
        "NIK",
        "NIK 3.67101E+15 was turned into a number by a spreadsheet and lost its last "
        "digits; format the column as Text and type it again",
    ),
    (
        3,
        "NIK",
        "NIK 367105520380001 has 15 digits instead of 16: digits were lost (was the "
        "column a number?)",
    ),
    (4, "NIK", "NIK 3671053302800001 holds an impossible birth date (330280)"),
    (5, "Kelurahan", "Unknown kelurahan Kampung Melayu"),
    (
        6,
        "Kelurahan",
        "Unknown kelurahan Poris Plawad Utra. Did you mean: Kel. Poris Plawad "
        "Utara, Kec. Cipondoh; Kel. Poris Plawad, Kec. Cipondoh; Kel. Poris "
        "Plawad Indah, Kec. Cipondoh?",
    ),
    (7, "Kelurahan", "Kel. Karawaci, Kec. Karawaci is not in Kec. Cipondoh"),
    (10, "Kategori", "Unknown PPKS category Pengungsi Luar Negeri"),
    (11, "Tanggal Lapor", "Date 31/02/2024 is impossible (day/month/year expected)"),
    (12, "", "Same as row 8"),
    (14, "NIK", "NIK 3671055203800001 is also in row 13 for Siti Aminah"),
    (16, "Tanggal Lapor", "Date 03/25/2024 is impossible (day/month/year expected)"),
    (17, "Tanggal Lapor", "Date 01/02/24 has a two-digit year; write the year in full"),
]


def test_quirks_are_refused_row_by_row_with_column_and_reason(admin: Actor) -> None:
    result = run(admin, "cases_quirks.csv", skip_invalid=True)
    assert refusals(result) == QUIRK_REFUSALS
    assert (result.rows, result.imported, result.refused_rows) == (16, 4, 12)
    names = sorted(c.client.name for c in Case.select())
    assert names == ["Fajar Nugraha", "Gita Permata", "Siti Aminah", "Siti Aminah"]
    fajar, gita = case_of("Fajar Nugraha"), case_of("Gita Permata")
    # Alias "Sumur Pancing" + legacy "Wanita Rawan Sosial Ekonomi" + Excel serial 44927.
    assert (fajar.kelurahan_code, fajar.category_code, fajar.reported_at) == (
        "36.71.07.1008",
        23,
        dt.datetime(2023, 1, 1),
    )
    # Alias "Batujaya" + legacy "Penyandang Cacat" + ISO date.
    assert (gita.kelurahan_code, gita.category_code, gita.reported_at) == (
        "36.71.03.1002",
        9,
        dt.datetime(2024, 2, 29),
    )
    # Rows 13 and 15 share a NIK and agree on the name ("Siti A."): one client, two cases.
    siti = Client.get(Client.nik == SITI_NIK)
    assert siti.name == "Siti Aminah"
    assert sorted(c.category_code for c in siti.cases) == [8, 24]
    assert Client.select().count() == 3


def test_all_or_nothing_then_skip_invalid_then_rerun(admin: Actor) -> None:
    before = counts()
    blocked = run(admin, "cases_one_bad.csv")
    assert blocked.blocked and blocked.imported == 0 and blocked.valid == 4
    assert refusals(blocked) == [
        (
            4,
            "nik",
            "NIK 3.67105E+15 was turned into a number by a "
            "spreadsheet and lost its last digits; format the column as "
            "Text and type it again",
        )
    ]
    assert counts() == before  # not one row, not one audit entry, no case number taken

    done = run(admin, "cases_one_bad.csv", skip_invalid=True)
    assert (done.imported, done.refused_rows, done.already_imported) == (4, 1, 0)
    names = sorted(c.client.name for c in Case.select())
    assert names == ["Asep Saepudin", "Bayu Aji", "Dedi Mulyadi", "Erna Wati"]
    after = counts()

    again = run(admin, "cases_one_bad.csv", skip_invalid=True)
    assert (again.imported, again.refused_rows, again.already_imported) == (0, 1, 4)
    strict = run(admin, "cases_one_bad.csv")
    assert (strict.imported, strict.already_imported, strict.valid) == (0, 4, 0)
    assert counts() == after


def test_every_imported_record_is_audited(admin: Actor) -> None:
    result = run(admin, "cases_semicolon_bom.csv")
    entries = list(
        AuditLog.select()
        .where(AuditLog.action.in_(("case.import", "client.import", "import.cases")))
        .order_by(AuditLog.id)
    )
    by_action: dict[str, list[AuditLog]] = {}
    for entry in entries:
        by_action.setdefault(entry.action, []).append(entry)
    assert sorted(e.case_number for e in by_action["case.import"]) == result.case_numbers
    assert {e.entity_id for e in by_action["case.import"]} == {str(c.id) for c in Case.select()}
    assert {e.entity_id for e in by_action["client.import"]} == {str(c.id) for c in Client.select()}
    assert all(e.username == "tester" for e in entries)
    [summary] = by_action["import.cases"]
    assert summary.detail == "cases_semicolon_bom.csv"
    case_entry = next(e for e in by_action["case.import"] if e.case_number == "2024-000001")
    assert timeline.render(case_entry.detail) == "import of cases_semicolon_bom.csv, row 2"
    siti = case_of("Siti Aminah")
    assert json.loads(case_entry.changes) == {
        "number": [None, "2024-000001"],
        "client": [None, siti.client_id],
        "category": [None, 24],
        "kelurahan": [None, "36.71.05.1008"],
        "status": [None, "baru"],
        "priority": [None, "tinggi"],
        "source": [None, "laporan_psm"],
    }
    client_entry = next(e for e in by_action["client.import"] if e.entity_id == str(siti.client_id))
    assert json.loads(client_entry.changes) == {
        "name": [None, "Siti Aminah"],
        "nik": [None, "************0001"],
        "kelurahan": [None, "36.71.05.1008"],
    }


def test_dry_run_reports_and_writes_nothing(admin: Actor) -> None:
    before = counts()
    result = run(admin, "cases_quirks.csv", dry_run=True, skip_invalid=True)
    assert (result.valid, result.imported, result.refused_rows) == (4, 0, 12)
    assert refusals(result) == QUIRK_REFUSALS
    assert counts() == before


def test_numbers_continue_the_year_and_search_finds_imported_cases(admin: Actor) -> None:
    cases.register_case(
        admin,
        name="Orang Pertama",
        kelurahan="Petir",
        category=24,
        reported_at=dt.datetime(2024, 1, 2),
    )
    result = run(admin, "cases_semicolon_bom.csv")
    assert result.case_numbers == ["2024-000002", "2024-000003", "2024-000004"]
    assert CaseCounter.get_by_id(2024).last == 4
    found = list_cases(admin, CaseFilter(search="Aminah"))
    assert [c.number for c in found] == ["2024-000002"]
    # The next case registered by hand takes the next number.
    later = cases.register_case(
        admin,
        name="Orang Kedua",
        kelurahan="Petir",
        category=24,
        reported_at=dt.datetime(2024, 5, 1),
    )
    assert later.case.number == "2024-000005"


def test_known_nik_links_to_the_client_or_is_refused_if_the_name_differs(
    admin: Actor, tmp_path: Path
) -> None:
    cases.register_case(
        admin,
        name="Siti Aminah",
        kelurahan="Poris Plawad",
        category=8,
        nik=SITI_NIK,
        reported_at=dt.datetime(2023, 6, 1),
    )
    result = run(admin, "cases_semicolon_bom.csv")
    assert (result.imported, result.linked_clients, result.new_clients) == (3, 1, 2)
    assert Client.select().where(Client.nik == SITI_NIK).count() == 1
    assert Client.get(Client.nik == SITI_NIK).cases.count() == 2

    other = tmp_path / "other.csv"
    other.write_text(
        "Nama,NIK,Kelurahan,Kategori,Tanggal Lapor\n"
        f"Bambang,{SITI_NIK},Petir,24,01/01/2024\n"
        f"Siti Aminah,{SITI_NIK},Poris Plawad,24,05/03/2024\n"
    )
    clash = import_path(admin, "cases", other, skip_invalid=True)
    assert refusals(clash) == [
        (2, "NIK", f"NIK {SITI_NIK} already belongs to client Siti Aminah"),
        (3, "", "Case 2024-000001 already records this client, category and date"),
    ]


def test_operator_imports_only_inside_their_kecamatan(admin: Actor) -> None:
    viewer = make_user(admin, "lihat", "viewer")
    with pytest.raises(PermissionDenied):
        run(viewer, "cases_semicolon_bom.csv")
    operator = make_user(admin, "op_cipondoh", "operator", kecamatan="36.71.05")
    result = run(operator, "cases_semicolon_bom.csv", skip_invalid=True)
    assert result.imported == 2
    assert refusals(result) == [
        (4, "kelurahan", "Your scope is Kec. Cipondoh; this record is in Kec. Karawaci")
    ]


def test_xlsx_with_title_row_typed_cells_and_a_numeric_nik(admin: Actor, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Rekap kasus 2024"])
    sheet.append(
        [
            "Nama",
            "NIK",
            "Tanggal Lahir",
            "Jenis Kelamin",
            "Kelurahan",
            "Kategori",
            "Tanggal Lapor",
            "No HP",
            "RT",
            "RW",
        ]
    )
    sheet.append(
        [
            "Siti Aminah",
            SITI_NIK,
            dt.datetime(1980, 3, 12),
            "P",
            "Poris Plawad",
            24,
            dt.datetime(2024, 3, 5, 9, 15),
            81234567890,
            1,
            2,
        ]
    )
    sheet.append(["Budi", 3671051203800002, None, "L", "Petir", "Lansia", 45359, None, None, None])
    sheet.append([None] * 10)
    path = tmp_path / "kasus.xlsx"
    book.save(path)

    result = import_path(admin, "cases", path, skip_invalid=True)
    assert (result.format, result.sheet, result.rows, result.imported) == ("xlsx", "Sheet", 2, 1)
    assert refusals(result) == [
        (
            4,
            "NIK",
            "NIK 3.6710512038E+15 was turned into a number by a "
            "spreadsheet and lost its last digits; format the "
            "column as Text and type it again",
        )
    ]
    siti = case_of("Siti Aminah")
    assert siti.reported_at == dt.datetime(2024, 3, 5, 9, 15)
    assert (siti.client.birth_date, siti.client.phone, siti.client.rt, siti.client.rw) == (
        dt.date(1980, 3, 12),
        "081234567890",
        "001",
        "002",
    )


def test_whole_file_problems_are_errors(admin: Actor, tmp_path: Path) -> None:
    path = tmp_path / "no_category.csv"
    path.write_text("Nama;Kelurahan\nSiti;Petir\n")
    with pytest.raises(ValidationError, match=r"no_category\.csv has no Kategori PPKS column"):
        import_path(admin, "cases", path)
    with pytest.raises(ValidationError, match="Cannot read"):
        import_path(admin, "cases", tmp_path / "missing.csv")


def test_a_row_wider_than_the_header_is_refused(admin: Actor, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("Nama,Kelurahan,Kategori\nSiti,Petir,24,Jl. Mawar\nBudi,Petir,24\n")
    result = import_path(admin, "cases", path, skip_invalid=True)
    assert refusals(result) == [
        (
            2,
            "",
            "The row has 4 values but the header has 3 columns "
            "(a delimiter inside an unquoted value?)",
        )
    ]
    assert result.imported == 1


def test_audit_changes_are_valid_json_whatever_the_name(admin: Actor, tmp_path: Path) -> None:
    name = 'Ani "Bunga" \\ O\'Neil [bold]'
    path = tmp_path / "aneh.csv"
    path.write_text(f'Nama;Kelurahan;Kategori\n"{name.replace(chr(34), chr(34) * 2)}";Petir;24\n')
    assert import_path(admin, "cases", path).imported == 1
    entry = AuditLog.get(AuditLog.action == "client.import")
    assert json.loads(entry.changes)["name"] == [None, name]
    assert Client.get().name == name


def test_rows_without_a_report_date_are_not_imported_twice(admin: Actor, tmp_path: Path) -> None:
    path = tmp_path / "tanpa_tanggal.csv"
    path.write_text("Nama,Kelurahan,Kategori\nSiti Aminah,Petir,24\nBudi Santoso,Petir,8\n")
    first = import_path(admin, "cases", path)
    assert first.imported == 2
    again = import_path(admin, "cases", path)
    assert (again.imported, again.already_imported) == (0, 2)
    assert Case.select().count() == 2


def test_category_spellings_old_and_new(admin: Actor, tmp_path: Path) -> None:
    spellings = ["Anak Nakal", "Penderita HIV/AIDS", "24 - Fakir Miskin", "Fakir Miskin (FM)",
                 "ABH", "Keluarga Berumah Tak Layak Huni", "8"]  # fmt: skip
    path = tmp_path / "kategori.csv"
    lines = [f"Warga Nomor {chr(65 + i)};Petir;{c}" for i, c in enumerate(spellings)]
    path.write_text("Nama;Kelurahan;Kategori PPKS\n" + "\n".join(lines) + "\n")
    result = import_path(admin, "cases", path)
    assert (result.imported, result.refusals) == (7, [])
    by_name = {c.client.name: c.category_code for c in Case.select()}
    assert [by_name[f"Warga Nomor {chr(65 + i)}"] for i in range(7)] == [3, 16, 24, 24, 3, 24, 8]
