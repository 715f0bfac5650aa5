"""Key l on the case detail prints a referral letter or the case summary: the file is written,
the letter registered, and the screen says its number."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pypdf import PdfReader
from textual.widgets import Select

from psm_tui.store.models import FollowUp, Letter
from psm_tui.tui.modals.letter import LetterDialog
from psm_tui.tui.screens.help import HelpScreen
from tests.ui.pilot_helpers import SIZE, press, screen_text, settle
from tests.ui.test_case_flows import open_case


def test_key_l_prints_a_referral_letter_and_a_summary(demo_app) -> None:
    followup = FollowUp.select().order_by(FollowUp.id.desc()).first()
    number = followup.case.number

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await open_case(pilot, number)
            assert "l Letter" in screen_text(app)
            await press(pilot, "question_mark")
            assert isinstance(app.screen, HelpScreen) and "Letter" in screen_text(app)
            await press(pilot, "escape", "l")
            dialog = app.screen
            assert isinstance(dialog, LetterDialog)
            dialog.query_one("#document", Select).value = str(followup.id)
            await settle(pilot)
            await press(pilot, "ctrl+s")
            await settle(pilot)
            letter = Letter.get(Letter.followup_id == followup.id)
            assert letter.number in screen_text(app)  # the notification
            text = PdfReader(Path.home() / f"rujukan-{followup.id}.pdf").pages[0].extract_text()
            assert letter.number in text and number in text

            await press(pilot, "l")
            app.screen.query_one("#document", Select).value = "summary"
            await settle(pilot)
            await press(pilot, "ctrl+s")
            await settle(pilot)
            assert (Path.home() / f"ringkasan-{number}.pdf").exists()
            assert Letter.select().where(Letter.kind == "summary").count() == 1

    asyncio.run(run())
