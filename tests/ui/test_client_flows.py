"""Issue 17 by keys: from a case to its client, a correction, the household, a sibling's case,
a programme recorded from a follow-up's answer, and the merge of two records of one person."""

from __future__ import annotations

import asyncio
import json
import re

from textual.widgets import DataTable

from psm_tui.core import cases, followups, users
from psm_tui.store.models import AuditLog, Case, Client, Enrolment
from psm_tui.tui.messages import OpenCase
from psm_tui.tui.modals.client import ClientEditDialog, MergeDialog
from psm_tui.tui.modals.followup import FollowUpStatusDialog
from psm_tui.tui.screens.case_detail import CaseDetailScreen
from psm_tui.tui.screens.client import ClientScreen
from psm_tui.tui.widgets.case_table import CaseTable
from tests.ui.pilot_helpers import SIZE, press, screen_text, settle, type_text

KK = "3671059912240001"  # a No. KK the demo does not use


def _family() -> tuple[str, str, int]:
    """A mother and her son on one No. KK, each with a case; a follow-up on the mother's."""
    admin = users.actor_for("tester")
    values = {"kelurahan": "Poris Plawad", "kk": KK, "phone": "081200001111"}
    mother = cases.register_case(admin, name="Ibu Warsini", category=24, **values).case.number
    son = cases.register_case(admin, name="Dimas Warsono", category=2, **values).case.number
    asked = followups.create_followup(admin, mother, opd="DINKES", action="Daftarkan PBI-JK")
    return mother, son, asked.id


def test_from_a_case_to_the_client_the_household_and_a_programme(demo_app) -> None:
    mother, son, followup_id = _family()
    client_id = Case.get(Case.number == mother).client_id

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            app.post_message(OpenCase(mother))
            await settle(pilot)
            assert isinstance(app.screen, CaseDetailScreen)
            await press(pilot, "question_mark")
            assert re.search(r"\bo +Client\b", screen_text(app))  # in the help, not the footer
            await press(pilot, "escape", "o")
            assert isinstance(app.screen, ClientScreen)
            assert "Ibu Warsini" in screen_text(app) and mother in screen_text(app)

            await press(pilot, "e")
            assert isinstance(app.screen, ClientEditDialog)
            await press(pilot, "end", "ctrl+u")
            await type_text(pilot, "0813 5555 7777")
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, ClientScreen)
            assert Client.get_by_id(client_id).phone == "081355557777"
            edit = AuditLog.get(AuditLog.action == "client.edit")
            assert json.loads(edit.changes) == {"phone": ["081200001111", "081355557777"]}
            assert "081355557777" in screen_text(app)

            await press(pilot, "h")
            shown = screen_text(app)
            assert "Dimas Warsono" in shown and son in shown
            rows = app.screen.query_one(DataTable)
            keys = [row.key.value for row in rows.ordered_rows]
            await press(pilot, *["down"] * keys.index(f"case:{son}"), "enter")
            assert isinstance(app.screen, CaseDetailScreen) and app.screen.number == son

            answered = followups.get_followup(followup_id)
            app.push_screen(FollowUpStatusDialog(answered))
            await settle(pilot)
            await press(pilot, "down")  # diterima -> selesai
            await press(pilot, "enter")  # to the response
            await type_text(pilot, "Kartu PBI-JK terbit")
            await press(pilot, "tab")  # to the programme
            await type_text(pilot, "PBI-JK")
            await press(pilot, "enter")
            await press(pilot, "ctrl+s")
            assert not isinstance(app.screen, FollowUpStatusDialog)

    asyncio.run(run())
    enrolment = Enrolment.get(Enrolment.client == client_id)
    assert (enrolment.programme_code, enrolment.status, enrolment.followup_id) == (
        "PBI-JK",
        "aktif",
        followup_id,
    )


def test_merging_two_records_of_one_person(demo_app) -> None:
    admin = users.actor_for("tester")
    values = {"kelurahan": "Poris Plawad", "category": 8}
    first = cases.register_case(admin, name="Sumarni Hadiwijaya", phone="081277770000", **values)
    second = cases.register_case(
        admin, name="Sumarni Hadiwijaja", kk=KK, address="Jl. Kenari 9", **values
    )
    keep, drop = first.case.client.id, second.case.client.id

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            app.push_screen(ClientScreen(keep))
            await settle(pilot)
            await press(pilot, "m")
            dialog = app.screen
            assert isinstance(dialog, MergeDialog)
            wanted = [h.client_id for h in dialog.hints].index(drop)
            await press(pilot, *["down"] * wanted)
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, ClientScreen)
            assert second.case.number in screen_text(app)

    asyncio.run(run())
    survivor = Client.get_by_id(keep)
    assert Client.get_or_none(Client.id == drop) is None
    assert (survivor.phone, survivor.kk, survivor.address) == ("081277770000", KK, "Jl. Kenari 9")
    assert Case.get(Case.number == second.case.number).client_id == keep
    merge = AuditLog.get(AuditLog.action == "client.merge")
    kept_from = json.loads(merge.detail)["kept_from"]
    assert kept_from["phone"] == keep and kept_from["kk"] == drop
    moved = AuditLog.get(AuditLog.action == "case.client")
    assert moved.case_number == second.case.number


def test_slash_with_a_no_kk_lists_the_households_cases(demo_app) -> None:
    mother, son, _followup = _family()

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "2", "slash")
            await type_text(pilot, KK)
            await press(pilot, "enter")
            table = app.screen.query_one(CaseTable)
            assert table.row_count == 2
            shown = screen_text(app)
            assert mother in shown and son in shown

    asyncio.run(run())
