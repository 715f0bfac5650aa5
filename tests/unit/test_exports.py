"""Exports: filters, NIK masking by role, CSV that spreadsheets cannot mangle, XLSX typed cells,
print-ready report workbooks, private files, and an audit entry for every export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import stat
from pathlib import Path

import openpyxl
import pytest

from psm_tui.core import assignment, cases, clock, workers
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import Actor
from psm_tui.core.errors import PermissionDenied, UnsafePathError
from psm_tui.core.incentive import incentive_list
from psm_tui.core.workers import WorkerFilter
from psm_tui.presentation import exports
from psm_tui.presentation.export_files import CsvSink, LongCsvSink, write_tables
from psm_tui.presentation.exports import ExportRequest
from psm_tui.presentation.tables import Column, ReportTable
from psm_tui.presentation.xlsx import XlsxSink
from psm_tui.store.models import AuditLog, Case, Client
from tests.conftest import make_user
from tests.files import export as to_file
from tests.raw_sql import RawSql

NIK = "3671055501800001"  # a woman born 15 Jan 1980, Cipondoh
KK = "3671051201100003"
RATES = (("2017-01", 350_000), ("2020-01", 500_000))


@pytest.fixture
def people(admin: Actor, monkeypatch: pytest.MonkeyPatch) -> dict[str, Actor]:
    """Two cases (Cipondoh with a NIK, Karawaci with a formula-like name) and one user per role."""
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 3, 2, 9, 0))
    worker = workers.add_worker(
        admin,
        kind="psm",
        name="Siti Aminah",
        kelurahan="Poris Plawad",
        phone="081234567890",
        nik="3671054107850002",
    ).id
    number = cases.register_case(
        admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8, nik=NIK, kk=KK
    ).case.number
    assignment.assign_case(admin, number, worker_id=worker)
    formula = cases.register_case(
        admin, name='=HYPERLINK("http://x")', kelurahan="Pabuaran", category=24
    ).case.number
    # A description from before the text rule: exports must still cope with its ESC byte.
    Case.update(description="ada \x1b[31m escape").where(Case.number == formula).execute()
    return {
        "admin": admin,
        "supervisor": make_user(admin, "sri", "supervisor"),
        "operator": make_user(admin, "ops", "operator"),
        "scoped": make_user(admin, "opkar", "operator", kecamatan="karawaci"),
        "viewer": make_user(admin, "kadis", "viewer"),
    }


def export(actor: Actor, tmp_path: Path, kind: str, fmt: str = "csv", **values: object) -> Path:
    path = tmp_path / f"{kind}-{actor.username}.{fmt}"
    to_file(actor, ExportRequest(kind=kind, fmt=fmt, **values), path, incentive_rates=RATES)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_for_spreadsheets_keeps_niks_as_text(people: dict[str, Actor], tmp_path: Path) -> None:
    rows = read_csv(export(people["supervisor"], tmp_path, "cases"))
    assert list(rows[0])[:4] == ["Case number", "Reported", "Status", "Priority"]
    sari = next(r for r in rows if r["Client"] == "Ibu Sari")
    assert (sari["NIK"], sari["KK number"]) == (f'="{NIK}"', f'="{KK}"')
    assert sari["Reported"] == "2026-03-02 09:00:00" and sari["PSM"] == "Siti Aminah"
    formula = next(r for r in rows if r["Client"].startswith("'"))
    assert formula["Client"] == '\'=HYPERLINK("http://x")'  # cannot run when opened
    assert len(rows) == 2


def test_plain_csv_is_machine_clean(people: dict[str, Actor], tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    steps: list[int] = []
    request = ExportRequest("cases", "csv", plain=True)
    result = to_file(people["supervisor"], request, path, progress=steps.append)
    assert result.rows == sum(steps) == exports.count_rows(request) == 2
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert list(rows[0])[:3] == ["number", "reported_at", "status"]
    sari = next(r for r in rows if r["client"] == "Ibu Sari")
    assert (sari["nik"], sari["kk"], sari["category_code"]) == (NIK, KK, "8")
    assert {r["client"] for r in rows} == {"Ibu Sari", '=HYPERLINK("http://x")'}


def test_nik_is_masked_for_operators_and_full_for_supervisors(
    people: dict[str, Actor], tmp_path: Path
) -> None:
    full = read_csv(export(people["supervisor"], tmp_path, "cases"))
    masked = read_csv(export(people["operator"], tmp_path, "cases"))
    assert f'="{NIK}"' in [r["NIK"] for r in full]
    assert [r["NIK"] for r in masked if r["Client"] == "Ibu Sari"] == ['="************0001"']
    assert [r["KK number"] for r in masked if r["Client"] == "Ibu Sari"] == ['="************0003"']
    workers_csv = read_csv(export(people["operator"], tmp_path, "workers"))
    assert workers_csv[0]["NIK"] == '="************0002"'
    assert workers_csv[0]["Phone"] == '="081234567890"'  # the leading zero survives


def test_xlsx_cells_are_typed_and_text_stays_text(people: dict[str, Actor], tmp_path: Path) -> None:
    path = export(people["supervisor"], tmp_path, "cases", "xlsx")
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Case number", "Reported", "Status"] and sheet.freeze_panes == "A2"
    rows = {r[6].value: r for r in sheet.iter_rows(min_row=2)}
    nik = rows["Ibu Sari"][header.index("NIK")]
    assert (nik.value, nik.data_type, nik.number_format) == (NIK, "s", "@")
    reported = rows["Ibu Sari"][1]
    assert reported.value == dt.datetime(2026, 3, 2, 9, 0) and reported.is_date
    formula = rows['=HYPERLINK("http://x")'][6]
    assert formula.data_type == "s"  # stored as a string, never as a formula
    assert sheet.max_row == 3


def test_exports_honour_case_list_filters(people: dict[str, Actor], tmp_path: Path) -> None:
    supervisor = people["supervisor"]
    only = read_csv(export(supervisor, tmp_path, "cases", filters=CaseFilter(kecamatan="36.71.07")))
    assert [r["Kecamatan"] for r in only] == ["Karawaci"]
    assigned = read_csv(
        export(supervisor, tmp_path, "cases", filters=CaseFilter(status=("ditugaskan",)))
    )
    assert [r["Client"] for r in assigned] == ["Ibu Sari"]
    unassigned = read_csv(
        export(supervisor, tmp_path, "cases", filters=CaseFilter(unassigned=True))
    )
    assert [r["Kecamatan"] for r in unassigned] == ["Karawaci"]


def test_scoped_operator_exports_only_their_kecamatan(
    people: dict[str, Actor], tmp_path: Path
) -> None:
    rows = read_csv(export(people["scoped"], tmp_path, "cases"))
    assert [r["Kecamatan"] for r in rows] == ["Karawaci"]
    with pytest.raises(PermissionDenied, match="scope"):
        export(people["scoped"], tmp_path, "cases", filters=CaseFilter(kecamatan="36.71.05"))
    with pytest.raises(PermissionDenied, match="scope"):  # Poris Plawad is in Cipondoh
        export(people["scoped"], tmp_path, "cases", filters=CaseFilter(kelurahan="36.71.05.1008"))
    assert read_csv(export(people["scoped"], tmp_path, "workers")) == []  # no PSM in Karawaci


def test_who_may_export_what(people: dict[str, Actor], tmp_path: Path) -> None:
    viewer, operator = people["viewer"], people["operator"]
    for kind in ("cases", "followups", "workers", "incentive"):
        with pytest.raises(PermissionDenied):
            export(viewer, tmp_path, kind, month=dt.date(2026, 2, 1))
    with pytest.raises(PermissionDenied, match="supervisor"):
        export(operator, tmp_path, "incentive", month=dt.date(2026, 2, 1))
    assert not list(tmp_path.glob("*-kadis.*")) and not list(tmp_path.glob("incentive-ops*"))
    export(viewer, tmp_path, "report", "xlsx", month=dt.date(2026, 2, 1))  # counts only
    refusals = AuditLog.select().where(AuditLog.action == "refused", AuditLog.username == "kadis")
    assert refusals.count() == 4


def test_every_export_is_audited_with_filter_and_row_count(
    people: dict[str, Actor], tmp_path: Path
) -> None:
    export(people["operator"], tmp_path, "cases", filters=CaseFilter(status=("baru",)))
    entry = AuditLog.select().where(AuditLog.action == "export").order_by(AuditLog.id.desc()).get()
    changes = json.loads(entry.changes)
    assert (entry.username, entry.entity, entry.entity_id) == ("ops", "export", "cases")
    assert changes["format"] == "csv"
    assert changes["filter"] == {"status": ["baru"]}
    assert changes["output"].endswith("cases-ops.csv")
    done = AuditLog.get(AuditLog.action == "export.done")  # the row count follows the data
    assert done.id > entry.id and json.loads(done.changes) == {"rows": 1}


def test_export_files_are_private_and_never_half_written(
    people: dict[str, Actor], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = export(people["supervisor"], tmp_path, "cases", "xlsx")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(UnsafePathError, match="does not exist"):
        export(people["supervisor"], tmp_path / "missing", "cases")

    real_rows = exports.case_rows

    def failing(actor: Actor, filters: CaseFilter):
        yield from list(real_rows(actor, filters))[:1]
        raise OSError("disk full")

    monkeypatch.setattr(exports, "case_rows", failing)
    with pytest.raises(OSError, match="disk full"):
        export(people["supervisor"], tmp_path, "cases", "csv")
    files = sorted(p.name for p in tmp_path.iterdir() if p.name != "data")
    assert files == ["cases-sri.xlsx"]
    # Each export's row was written before its data; the broken one says where it stopped.
    assert AuditLog.select().where(AuditLog.action == "export").count() == 3
    assert AuditLog.select().where(AuditLog.action == "export.done").count() == 1
    failed = AuditLog.select().where(AuditLog.action == "export.failed").order_by(AuditLog.id)
    assert [json.loads(row.changes) for row in failed] == [
        {"rows": 0, "error": "UnsafePathError"},  # the missing folder
        {"rows": 1, "error": "OSError"},  # the disk that filled up after one row
    ]


def test_followup_export_filters_by_opd_and_overdue(
    people: dict[str, Actor], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from psm_tui.core import followups

    number = Case.select().join(Client).where(Client.name == "Ibu Sari").get().number
    followups.create_followup(
        people["admin"], number, opd="DINKES", action="PBI-JK", due="2026-03-05"
    )
    followups.create_followup(
        people["admin"], number, opd="BAZNAS", action="Sembako", due="2026-04-30"
    )
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 3, 10, 9, 0))
    every = read_csv(export(people["operator"], tmp_path, "followups"))
    assert [(r["OPD"], r["Overdue"]) for r in every] == [("Dinkes", "yes"), ("BAZNAS", "no")]
    late = read_csv(
        export(people["operator"], tmp_path, "followups", filters=CaseFilter(overdue=True))
    )
    assert [r["OPD"] for r in late] == ["Dinkes"]
    baznas = read_csv(export(people["operator"], tmp_path, "followups", opd="baznas"))
    assert [r["Requested action"] for r in baznas] == ["Sembako"]
    request = ExportRequest("followups", "csv", opd="baznas")
    assert exports.count_rows(request) == 1


def test_case_export_counts_open_and_overdue_followups_per_case(
    people: dict[str, Actor], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from psm_tui.core import followups

    number = Case.select().join(Client).where(Client.name == "Ibu Sari").get().number
    followups.create_followup(people["admin"], number, opd="DINKES", action="PBI", due="2026-03-05")
    followups.create_followup(
        people["admin"], number, opd="BAZNAS", action="Beras", due="2026-04-30"
    )
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 3, 10, 9, 0))
    raw = export(people["supervisor"], tmp_path, "cases", plain=True).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(raw)))
    counts = {r["client"]: (r["open_followups"], r["overdue_followups"]) for r in rows}
    assert counts == {"Ibu Sari": ("2", "1"), '=HYPERLINK("http://x")': ("0", "0")}
    sari = next(r for r in rows if r["client"] == "Ibu Sari")
    assert (sari["worker"], sari["kecamatan"], sari["closed_at"]) == ("Siti Aminah", "Cipondoh", "")


def test_worker_export_includes_inactive_only_when_asked(
    people: dict[str, Actor], tmp_path: Path
) -> None:
    admin = people["admin"]
    gone = workers.add_worker(admin, kind="psm", name="Budi Santoso", kelurahan="Petir").id
    workers.deactivate_worker(admin, gone, "pindah")
    active = read_csv(export(admin, tmp_path, "workers"))
    assert [r["Name"] for r in active] == ["Siti Aminah"]
    everyone = read_csv(export(admin, tmp_path, "workers", workers=WorkerFilter(active=None)))
    assert sorted(r["Name"] for r in everyone) == ["Budi Santoso", "Siti Aminah"]


def test_monthly_report_workbook_is_print_ready(demo_db: Path, tmp_path: Path) -> None:
    from psm_tui.core import reports, users

    admin = users.actor_for("tester")
    month = reports.add_months(clock.today().replace(day=1), -1)
    path = export(admin, tmp_path, "report", "xlsx", month=month)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [
        "Summary",
        "Cases by kecamatan",
        "Cases by kelurahan",
        "PPKS categories",
        "Follow-ups by OPD",
        "PSM workload per kecamatan",
        "Open cases per PSM",
        "Kelurahan needing PSM",
        "Cases reported per month",
    ]
    sheet = book["Cases by kecamatan"]
    assert sheet["A1"].value == "Cases by kecamatan" and sheet["A2"].value.startswith("Dinas")
    header = [c.value for c in sheet[3]]
    assert header[:3] == ["Kecamatan", "new", "assigned"] and sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.column_dimensions["A"].width == 18
    body = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(body) == 14 and body[-1][0] == "City total"
    total = header.index("total")
    raw = RawSql(demo_db)
    expected = raw.value(
        'SELECT COUNT(*) FROM "case" WHERE reported_at >= ? AND reported_at < ?',
        month.isoformat(),
        reports.add_months(month, 1).isoformat(),
    )
    raw.close()
    assert body[-1][total] == sum(r[total] for r in body[:-1]) == expected
    assert sheet.cell(row=17, column=total + 1).font.b  # the total row is bold


def test_incentive_csv_for_people_lists_only_the_paid_without_technical_columns(
    demo_db: Path, tmp_path: Path
) -> None:
    """The CSV someone opens lists who is paid, as the printed list does
    (tests/unit/test_incentive_document.py); --plain keeps every PSM listed for scripts."""
    from psm_tui.core import reports, users

    admin = users.actor_for("tester")
    month = reports.add_months(clock.today().replace(day=1), -1)

    def activity_rule_csv(plain: bool) -> Path:
        path = tmp_path / f"incentive-{plain}.csv"
        request = ExportRequest(kind="incentive", fmt="csv", month=month, plain=plain)
        to_file(admin, request, path, incentive_rates=RATES, incentive_rule="activity")
        return path

    people = read_csv(activity_rule_csv(plain=False))
    assert "Row" not in people[0] and "Active (1 = yes)" not in people[0]
    paid = [r for r in people if r["No."]]
    due = incentive_list(admin, month, rate=500_000, rule="activity").payable
    assert 0 < len(paid) == len(due) < 987 and all(int(r["Amount"]) == 500_000 for r in paid)
    assert [r["Name"] for r in paid] == [r.name for r in due]
    assert people[-1]["Name"].endswith(f"({len(paid)} PSM)")
    assert int(people[-1]["Amount"]) == len(paid) * 500_000
    plain = activity_rule_csv(plain=True).read_text(encoding="utf-8")
    flat = list(csv.DictReader(io.StringIO(plain)))
    psm_rows = [r for r in flat if r["row_type"] == "psm"]
    assert len(psm_rows) == 987 and flat[-1]["row_type"] == "kota"
    assert int(flat[-1]["amount"]) == sum(int(r["amount"]) for r in psm_rows)
    assert {r["active"] for r in psm_rows} == {"0", "1"}


def test_csv_sinks_write_the_same_numbers() -> None:
    table = ReportTable(
        "t", "T", [Column("name", "Name"), Column("n", "N", "int"), Column("m", "Month", "month")]
    )
    table.add("a", "Alpha", 3, dt.date(2026, 1, 1))
    table.add_total("Total")
    wide, long = io.StringIO(), io.StringIO()
    write_tables(CsvSink(wide, plain=True, keyed=True), [table])
    write_tables(LongCsvSink(long), [table])
    assert wide.getvalue().splitlines() == ["key,name,n,m", "a,Alpha,3,2026-01", "total,Total,3,"]
    assert long.getvalue().splitlines()[1:3] == ["t,a,Alpha,n,3", "t,a,Alpha,m,2026-01"]


def test_a_list_workbook_prints_worded_filtered_and_paged(
    people: dict[str, Actor], tmp_path: Path
) -> None:
    sheet = openpyxl.load_workbook(export(people["supervisor"], tmp_path, "cases", "xlsx")).active
    header = [c.value for c in sheet[1]]
    rows = {r[6]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    sari = rows["Ibu Sari"]
    assert sari[header.index("Status")] == "assigned"  # the code ditugaskan, worded
    assert sari[header.index("Source")] == "walk-in"  # not datang_langsung
    assert sheet.auto_filter.ref == "A1:S3"
    assert sheet.oddFooter.right.text == "Page &P of &N"
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
    hidden = [c for c in "ABCDEFGHIJKLMNOPQRS" if sheet.column_dimensions[c].hidden]
    assert [header[ord(c) - 65] for c in hidden] == ["PPKS no.", "Kelurahan code", "PSM ID"]
    # "Overdue follow-ups" wraps to two lines in its 9-wide column: the header row is taller
    assert sheet.row_dimensions[1].height >= 32
    raw = export(people["supervisor"], tmp_path, "cases", plain=True).read_text(encoding="utf-8")
    plain = list(csv.DictReader(io.StringIO(raw)))
    assert {r["status"] for r in plain} == {"baru", "ditugaskan"}  # --plain keeps the codes


def test_an_empty_table_says_nil_and_a_narrow_one_prints_portrait(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    with path.open("wb") as stream:
        sink = XlsxSink(stream, document=True)
        sink.begin(
            "x", "Summary", [Column("a", "Indicator", "text", 40), Column("b", "N", "int", 8)]
        )
        sink.close()
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A4"].value == "nil" and sheet.auto_filter.ref is None
    assert sheet.page_setup.orientation == "portrait"


def test_the_monthly_report_names_its_month_in_words_and_formats_in_indonesian(
    demo_db: Path, tmp_path: Path
) -> None:
    from psm_tui.core import users

    month = dt.date(2026, 11, 1)
    path = export(users.actor_for("tester"), tmp_path, "report", "xlsx", month=month)
    sheet = openpyxl.load_workbook(path)["Cases by kecamatan"]
    assert sheet["A2"].value == "Dinas Sosial Kota Tangerang, Kota Tangerang, November 2026"
    assert sheet.cell(row=4, column=2).number_format == "[$-421]#,##0"
    last = sheet.cell(row=3, column=sheet.max_column).column_letter
    assert sheet.auto_filter.ref == f"A3:{last}16"  # 13 kecamatan; the city total left out
