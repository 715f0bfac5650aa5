"""Read scope in the TUI: a Karawaci operator's dashboard and case list hold only Karawaci, and
opening another kecamatan's case asks for akses darurat (a reason, audited)."""

from __future__ import annotations

import asyncio

from psm_tui.core import case_queries, privacy, users
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.labels import OPEN_STATUSES
from psm_tui.store.models import AuditLog
from psm_tui.tui.messages import OpenCase
from psm_tui.tui.modals.emergency import EmergencyDialog
from psm_tui.tui.screens.case_detail import CaseDetailScreen
from psm_tui.tui.widgets.case_table import CaseTable
from tests.ui.pilot_helpers import SIZE, press, screen_text, settle, type_text

KARAWACI = "36.71.07"


def _operator() -> None:
    users.add_user(users.actor_for("tester"), "okar", "operator", kecamatan="Karawaci")


def test_scoped_dashboard_shows_only_the_operators_kecamatan(demo_app, demo_db) -> None:
    _operator()
    okar = users.actor_for("okar")
    open_here = case_queries.count_cases(CaseFilter(status=OPEN_STATUSES), okar)
    open_city = case_queries.count_cases(CaseFilter(status=OPEN_STATUSES))
    assert 0 < open_here < open_city

    async def run() -> None:
        app = demo_app(username="okar")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            text = screen_text(app)
            assert "Kec. Karawaci (your scope)" in text
            assert "Kec. Cipondoh" not in text and "Kec. Ciledug" not in text
            figures = app.screen.query_one("DashboardView").figures  # type: ignore[attr-defined]
            assert figures.open_cases == open_here
            assert f"{open_here:,}" in text and f"{open_city:,}" not in text

    asyncio.run(run())


def test_scoped_case_list_pages_only_the_operators_kecamatan(demo_app, demo_db) -> None:
    _operator()
    total = case_queries.count_cases(CaseFilter(), users.actor_for("okar"))
    assert 0 < total < 5000

    async def run() -> None:
        app = demo_app(username="okar")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await press(pilot, "2")
            table = app.screen.query_one(CaseTable)
            assert table.row_count == total
            assert f"{total:,} cases" in screen_text(app)
            await press(pilot, "end")
            rows = [table.row(i) for i in (0, total - 1)]
            assert all(r is not None and r.kelurahan.kecamatan_code == KARAWACI for r in rows)
            assert "5,000 cases" not in screen_text(app)

    asyncio.run(run())


def test_opening_another_kecamatans_case_offers_emergency_access(demo_app, demo_db) -> None:
    _operator()
    elsewhere = case_queries.list_cases(None, CaseFilter(kecamatan="36.71.05"), limit=1)[0]

    async def run() -> None:
        app = demo_app(username="okar")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            app.post_message(OpenCase(elsewhere.number))
            await settle(pilot)
            assert isinstance(app.screen, EmergencyDialog)
            assert "outside your scope" in screen_text(app)
            await type_text(pilot, "short")
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, EmergencyDialog)
            assert "at least 10 characters" in screen_text(app)
            await type_text(pilot, " visit: klien datang ke kantor")
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, CaseDetailScreen)
            assert elsewhere.client_name[:20] in screen_text(app)
            row = AuditLog.get(AuditLog.action == "case.emergency")
            assert (row.username, row.case_number) == ("okar", elsewhere.number)
            assert row.detail == "short visit: klien datang ke kantor"

    asyncio.run(run())


def test_cancelling_emergency_access_closes_the_case(demo_app, demo_db) -> None:
    _operator()
    elsewhere = case_queries.list_cases(None, CaseFilter(kecamatan="36.71.05"), limit=1)[0]

    async def run() -> None:
        app = demo_app(username="okar")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            app.post_message(OpenCase(elsewhere.number))
            await settle(pilot)
            assert isinstance(app.screen, EmergencyDialog)
            await press(pilot, "escape")
            assert not isinstance(app.screen, CaseDetailScreen | EmergencyDialog)
            assert elsewhere.client_name not in screen_text(app)
            assert AuditLog.select().where(AuditLog.action == "case.emergency").count() == 0

    asyncio.run(run())


def test_supervisor_dashboard_lists_emergency_accesses(demo_app, demo_db) -> None:
    _operator()
    elsewhere = case_queries.list_cases(None, CaseFilter(kecamatan="36.71.05"), limit=1)[0]
    privacy.view_case_emergency(users.actor_for("okar"), elsewhere.number, "klien di kantor")

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            text = screen_text(app)
            assert "Emergency accesses, 7 days" in text
            assert f"{elsewhere.number} okar: klien di kantor" in text

    asyncio.run(run())
