"""The footer shows whole hints only, the most important first, and always ``?``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from psm_tui.tui.application import PsmApp
from psm_tui.tui.widgets.key_footer import Hint, fit
from tests.ui.pilot_helpers import press, screen_text, settle

HINTS = [
    Hint("/", "Search"),
    Hint("a", "Assign"),
    Hint("f", "Follow-up"),
    Hint("?", "Help", pinned=True),
    Hint("^p", "Commands"),
]


def test_fit_keeps_rank_order_and_the_pinned_help() -> None:
    assert fit(HINTS, 80) == HINTS
    assert fit(HINTS, 40) == [HINTS[0], HINTS[1], HINTS[2], HINTS[3]]
    assert fit(HINTS, 8) == [Hint("?", "Help", pinned=True)]


def test_fit_leaves_the_last_cell_blank() -> None:
    line = "  ".join(f"{h.key} {h.description}" for h in fit(HINTS, 44))
    assert len(line) < 44


def test_case_list_footer_at_60_columns(demo_app: Callable[..., PsmApp]) -> None:
    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=(60, 20)) as pilot:
            await settle(pilot)
            await press(pilot, "2")
            footer = screen_text(app).splitlines()[-1]
            assert footer.startswith("/ Search F Filter n New a Assign f Follow-up")
            assert footer.rstrip().endswith("? Help")
            assert footer[-1] == " "

    asyncio.run(run())
