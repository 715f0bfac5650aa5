"""Dialogs offer what the role and the case's state allow, and warn before what cannot be undone."""

from __future__ import annotations

import asyncio

from textual.widgets import OptionList

from psm_tui.core import users
from psm_tui.core.labels import FOLLOWUP_OPEN
from psm_tui.store.models import Case, FollowUp
from psm_tui.tui.compat_textual import notifications
from psm_tui.tui.modals.assign import AssignDialog
from psm_tui.tui.modals.new_case import NewCaseDialog
from psm_tui.tui.modals.status import StatusDialog
from psm_tui.tui.screens.case_detail import CaseDetailScreen
from psm_tui.tui.widgets.kelurahan_picker import KelurahanPicker
from tests.ui.pilot_helpers import SIZE, press, screen_text, type_text
from tests.ui.test_case_flows import first_case, open_case


def offered(dialog: StatusDialog) -> list[str]:
    options = dialog.query_one("#targets", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def test_an_operators_status_dialog_does_not_offer_closing(demo_app) -> None:
    users.add_user(users.actor_for("tester"), "opr", "operator", full_name="Operator Satu")
    number = first_case("ditugaskan")

    async def run() -> None:
        app = demo_app(username="opr")
        async with app.run_test(size=SIZE) as pilot:
            await open_case(pilot, number)
            await press(pilot, "s")
            assert isinstance(app.screen, StatusDialog)
            assert offered(app.screen) == ["in progress"]
            assert "closed" not in screen_text(app)

    asyncio.run(run())


def test_a_supervisor_is_offered_closing(demo_app) -> None:
    number = first_case("ditugaskan")

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await open_case(pilot, number)
            await press(pilot, "s")
            assert offered(app.screen) == ["in progress", "closed"]  # type: ignore[arg-type]

    asyncio.run(run())


def test_resolving_with_open_followups_warns_and_cancels_them(demo_app) -> None:
    row = (
        FollowUp.select(FollowUp, Case)
        .join(Case)
        .where(FollowUp.status.in_(FOLLOWUP_OPEN), Case.status == "ditangani")
        .first()
    )
    number = row.case.number
    waiting = FollowUp.select().where(
        FollowUp.case == row.case_id, FollowUp.status.in_(FOLLOWUP_OPEN)
    )
    assert waiting.count() >= 1

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await open_case(pilot, number)
            await press(pilot, "s")
            assert "This case still has" in screen_text(app)
            assert "Cancel them when the case is resolved or closed" in screen_text(app)
            await press(pilot, "enter")  # resolved
            await type_text(pilot, "Bantuan diterima")
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, CaseDetailScreen)

    asyncio.run(run())
    assert Case.get(Case.number == number).status == "selesai"
    assert waiting.count() == 0
    assert FollowUp.get_by_id(row.id).status == "dibatalkan"


def test_assign_does_not_open_on_a_resolved_case_and_says_why(demo_app) -> None:
    number = first_case("selesai")

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await open_case(pilot, number)
            await press(pilot, "a")
            assert not isinstance(app.screen, AssignDialog)
            said = [n.message for n in notifications(app)]
            assert f"Case {number} is resolved; reopen it before assigning" in said

    asyncio.run(run())


def test_the_kelurahan_picker_needs_an_explicit_choice(demo_app) -> None:
    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "2", "n")
            dialog = app.screen
            assert isinstance(dialog, NewCaseDialog)
            picker = dialog.query_one(KelurahanPicker)
            await type_text(pilot, "Siti Rahmawati")
            await press(pilot, "tab")
            await type_text(pilot, "poris plawad")
            assert "Kel. Poris Plawad Utara" in screen_text(app)
            await press(pilot, "enter")  # three matches, none highlighted: nothing is taken
            assert picker.value is None and app.focused is picker.input
            await press(pilot, "down", "enter")  # one down highlights the first
            assert picker.value is not None
            assert picker.value.label == "Kel. Poris Plawad, Kec. Cipondoh"

    asyncio.run(run())


def test_leaving_the_picker_takes_nothing_among_several(demo_app) -> None:
    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "2", "n", "tab")
            await type_text(pilot, "poris plawad")
            await press(pilot, "tab")
            assert app.screen.query_one(KelurahanPicker).value is None

    asyncio.run(run())
