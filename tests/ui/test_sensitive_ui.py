"""Sensitive cases in the TUI: an operator not named on a violence case sees a "restricted case"
row without client or category, a search by the client's name does not find it, and opening it
asks for akses darurat (a reason, audited)."""

from __future__ import annotations

import asyncio

from psm_tui.core import cases, users
from psm_tui.store.models import AuditLog
from psm_tui.tui.modals.emergency import EmergencyDialog
from psm_tui.tui.screens.case_detail import CaseDetailScreen
from psm_tui.tui.widgets.case_table import CaseTable
from tests.ui.pilot_helpers import SIZE, press, screen_text, settle, type_text

NAME = "Kenanga Wulandari"


def _violence_case() -> str:
    """A PPKS 19 (Korban Tindak Kekerasan) case, and an operator of its kecamatan not named."""
    admin = users.actor_for("tester")
    users.add_user(admin, "opc", "operator", kecamatan="Cipondoh")
    registered = cases.register_case(admin, name=NAME, kelurahan="Poris Plawad", category=19)
    return registered.case.number


def test_a_user_not_named_sees_a_restricted_row_and_opens_it_by_akses_darurat(demo_app) -> None:
    number = _violence_case()

    async def run() -> None:
        app = demo_app(username="opc")
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "2", "slash")
            await type_text(pilot, "Kenanga Wulandari")
            await press(pilot, "enter")
            assert number not in screen_text(app)
            await press(pilot, "slash")
            await type_text(pilot, number)
            await press(pilot, "enter")
            table = app.screen.query_one(CaseTable)
            assert table.row_count == 1
            shown = screen_text(app)
            assert number in shown and "restricted case" in shown
            assert "Kenanga" not in shown and "KTK" not in shown
            await press(pilot, "enter")
            await settle(pilot)
            assert isinstance(app.screen, EmergencyDialog)
            assert "restricted case" in screen_text(app)
            await type_text(pilot, "korban datang ke kantor hari ini")
            await press(pilot, "ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, CaseDetailScreen)
            assert NAME in screen_text(app)
            row = AuditLog.get(AuditLog.action == "case.emergency")
            assert (row.username, row.case_number) == ("opc", number)

    asyncio.run(run())
