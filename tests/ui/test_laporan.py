"""The Laporan view at 80x24, by keys: the same numbers as ``psm summary``, drill-down into the
case list, another period, and the monthly report export."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from textual.widgets import ContentSwitcher, DataTable

from psm_tui.cli import main
from psm_tui.core import case_queries
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.files.boundary import boundary_for
from psm_tui.store.models import AuditLog
from psm_tui.tui.modals.report_export import ExportDialog
from psm_tui.tui.views.cases import CasesView
from psm_tui.tui.views.laporan import LaporanView
from tests.ui.pilot_helpers import SIZE, press, screen_text, settle, type_text


def summary(demo_db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    capsys.readouterr()
    main(["--db", str(demo_db), "--lang", "en", "summary", "--format", "json", *args])
    return json.loads(capsys.readouterr().out)


def cells(app) -> list[list[str]]:
    table = app.screen.query_one("#report-table", DataTable)
    return [[str(cell).strip() for cell in table.get_row_at(i)] for i in range(table.row_count)]


def number(text: str) -> int:
    return int(text.replace(",", ""))


def test_laporan_shows_the_cli_numbers(demo_app, demo_db: Path, capsys) -> None:
    expected = summary(demo_db, capsys)

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await press(pilot, "5")
            text = screen_text(app)
            assert "1/9 Cases by status" in text and "Period: all time" in text
            status = {row[0]: number(row[1]) for row in cells(app)}
            assert status == {
                "new": expected["status"]["baru"],
                "assigned": expected["status"]["ditugaskan"],
                "in progress": expected["status"]["ditangani"],
                "resolved": expected["status"]["selesai"],
                "closed": expected["status"]["ditutup"],
                "open": expected["status"]["open"],
                "total": expected["status"]["total"],
            }
            assert "█" in screen_text(app)  # bars beside the counts

            await press(pilot, "right_square_bracket")
            rows = cells(app)
            by_name = {k["name"]: k for k in expected["kecamatan"]}
            for row in rows[:-1]:
                kec = by_name[row[0]]
                assert [number(v) for v in row[1:8]] == [
                    kec["baru"],
                    kec["ditugaskan"],
                    kec["ditangani"],
                    kec["selesai"],
                    kec["ditutup"],
                    kec["open"],
                    kec["total"],
                ]
            assert rows[-1][0] == "City total"
            assert number(rows[-1][7]) == expected["status"]["total"]

            await press(pilot, "left_square_bracket", "left_square_bracket")
            assert "9/9 Cases reported per month" in screen_text(app)
            months = [number(row[1]) for row in cells(app)]
            assert months == [m["cases"] for m in expected["months"]]
            trend = f"latest {months[-1]}, highest {max(months)}"
            assert trend in screen_text(app)

    asyncio.run(run())


def test_enter_drills_into_the_matching_cases(demo_app, demo_db: Path, capsys) -> None:
    expected = summary(demo_db, capsys)
    cipondoh = next(k for k in expected["kecamatan"] if k["name"] == "Cipondoh")

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await press(pilot, "5", "right_square_bracket")
            names = [row[0] for row in cells(app)]
            await press(pilot, *["j"] * names.index("Cipondoh"), "enter")
            assert app.screen.query_one(ContentSwitcher).current == "cases"
            view = app.screen.query_one(CasesView)
            assert view.table.filters == CaseFilter(kecamatan="36.71.05")
            await settle(pilot)
            assert f"{cipondoh['total']} cases" in screen_text(app)

            await press(pilot, "5", *["right_square_bracket"] * 5)
            assert "7/9 Most loaded PSM" in screen_text(app)
            await press(pilot, "enter")
            assert app.screen.query_one(CasesView).table.filters == CaseFilter(
                worker_id=expected["workload"]["most_loaded"][0]["id"],
                status=("ditugaskan", "ditangani"),
            )

    asyncio.run(run())


def test_period_and_kecamatan_by_keys(demo_app, demo_db: Path, capsys) -> None:
    expected = summary(
        demo_db, capsys, "--from", "2026-01-01", "--to", "2026-06-30", "--kecamatan", "Pinang"
    )

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await press(pilot, "5", "p")
            await press(pilot, "tab")
            await type_text(pilot, "2026-01-01")
            await press(pilot, "tab")
            await type_text(pilot, "2026-06-30")
            await press(pilot, "tab", "enter")
            await type_text(pilot, "Pinang")
            await press(pilot, "enter", "ctrl+s")
            view = app.screen.query_one(LaporanView)
            assert view.scope.kecamatan == "36.71.11"
            text = screen_text(app)
            assert "Period: 1 Jan 2026 to 30 Jun 2026 · Kec. Pinang" in text
            status = {row[0]: number(row[1]) for row in cells(app)}
            assert status["total"] == expected["status"]["total"] > 0
            assert status["open"] == expected["status"]["open"]

            await press(pilot, "enter")  # the first row: new cases of that period only
            view_filters = app.screen.query_one(CasesView).table.filters
            assert view_filters == CaseFilter(
                status=("baru",),
                kecamatan="36.71.11",
                reported_from=dt.date(2026, 1, 1),
                reported_to=dt.date(2026, 6, 30),
            )
            assert case_queries.count_cases(view_filters) == status["new"]
            await press(pilot, "5")

            await press(pilot, "p", "tab")
            await type_text(pilot, "x")
            await press(pilot, "ctrl+s")
            assert "Date x is not valid" in screen_text(app)  # stays in the dialog
            await press(pilot, "escape")
            assert view.scope.date_from is not None

    asyncio.run(run())


def test_export_key_writes_the_monthly_report(demo_app, tmp_path: Path) -> None:
    target = tmp_path / "laporan.xlsx"

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await press(pilot, "5", "e")
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            dialog.query_one("#file").value = str(target)  # type: ignore[attr-defined]
            await press(pilot, "ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, ExportDialog)
            assert "Monthly report written to" in screen_text(app)

    asyncio.run(run())
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[:2] == ["Summary", "Cases by kecamatan"]
    entry = AuditLog.select().where(AuditLog.action == "export").order_by(AuditLog.id.desc()).get()
    assert (entry.username, entry.entity_id) == ("tester", "report")
    assert json.loads(entry.changes)["output"] == str(target)


def test_an_existing_file_is_replaced_only_when_asked(demo_app, tmp_path: Path) -> None:
    target = tmp_path / "laporan.xlsx"
    target.write_text("last month's\n")

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await press(pilot, "5", "e")
            dialog = app.screen
            dialog.query_one("#file").value = str(target)  # type: ignore[attr-defined]
            await press(pilot, "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, ExportDialog)  # refused, the dialog stays open
            assert "already exists; give another name" in screen_text(app)
            assert target.read_text() == "last month's\n"
            dialog.query_one("#replace").value = True  # type: ignore[attr-defined]
            await press(pilot, "ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, ExportDialog)

    asyncio.run(run())
    assert openpyxl.load_workbook(target).sheetnames[0] == "Summary"


def test_over_ssh_the_report_goes_to_the_outbox(demo_app) -> None:
    async def run() -> None:
        app = demo_app(remote=True)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await press(pilot, "5", "e")
            dialog = app.screen
            name = dialog.query_one("#file").value  # type: ignore[attr-defined]
            assert "/" not in name and name.startswith("psm-laporan-")
            assert not dialog.query("#replace")
            await press(pilot, "ctrl+s")
            await settle(pilot)
            assert not isinstance(app.screen, ExportDialog)
            assert "Fetch it with: ssh dinsos outbox get" in screen_text(app)
            dialog = await _reopen(pilot, app)
            dialog.query_one("#file").value = "/etc/passwd"  # type: ignore[attr-defined]
            await press(pilot, "ctrl+s")
            await settle(pilot)
            assert "Over SSH psm does not use paths on the server" in screen_text(app)

    asyncio.run(run())
    app = demo_app(remote=True)
    outbox = boundary_for(app.settings, app.actor).outbox  # beside the file, or in the data folder
    assert [p.name.startswith("psm-laporan-") for p in outbox.iterdir()] == [True]
    assert oct(outbox.stat().st_mode & 0o777) == "0o700"


async def _reopen(pilot, app) -> ExportDialog:
    await press(pilot, "e")
    dialog = app.screen
    assert isinstance(dialog, ExportDialog)
    return dialog
