"""The text rule in the TUI: a refused note stays in its dialog, with the reason shown."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual import events
from textual.widgets import Static

from psm_tui.core import case_queries
from psm_tui.core.case_queries import CaseFilter
from psm_tui.store.models import Activity, Case
from psm_tui.tui.application import PsmApp
from psm_tui.tui.messages import OpenCase
from psm_tui.tui.modals.note import NoteDialog
from psm_tui.tui.widgets.inputs import TextBox
from tests.ui.pilot_helpers import SIZE, press, screen_text, settle, type_text


def test_a_note_with_a_bidi_override_is_refused_in_the_dialog(
    demo_app: Callable[..., PsmApp],
) -> None:
    number = case_queries.list_cases(None, CaseFilter(status=("ditangani",)), limit=1)[0].number
    case_id = Case.get(Case.number == number).id
    before = Activity.select().where(Activity.case == case_id).count()

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            app.post_message(OpenCase(number))
            await settle(pilot)
            await press(pilot, "c")
            assert isinstance(app.screen, NoteDialog)
            # Typed, then pasted: a terminal delivers an invisible character only by a paste.
            await type_text(pilot, "bayar ")
            app.post_message(events.Paste("\u202e000.01 Rp"))
            await settle(pilot)
            assert app.screen.query_one("#text", TextBox).text == "bayar \u202e000.01 Rp"
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, NoteDialog), "a refused note must not close the dialog"
            reason = "Text: the invisible text-direction character U+202E is not allowed"
            assert reason in screen_text(app)
            error = app.screen.query_one(".dialog-error", Static)
            assert str(error.render()).startswith(reason)

    asyncio.run(run())
    assert Activity.select().where(Activity.case == case_id).count() == before
