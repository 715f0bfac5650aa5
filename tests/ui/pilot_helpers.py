"""Driving the app with Pilot at 80x24: settle, type, read the screen."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from psm_tui.tui.application import PsmApp
from psm_tui.tui.compat_textual import screen_strips

SIZE = (80, 24)


async def settle(pilot: Pilot[None], rounds: int = 3) -> None:
    """Let thread workers finish and their results reach the screen."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def screen_text(app: PsmApp) -> str:
    """What the terminal shows now, as plain text (the top screen with what it overlays)."""
    return "\n".join(strip.text for strip in screen_strips(app))


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Press keys, then let the app settle."""
    await pilot.press(*keys)
    await settle(pilot)


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type ``text`` character by character, then settle."""
    await pilot.press(*text)
    await settle(pilot)


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], *, rounds: int = 100
) -> bool:
    """Poll ``condition`` while the app runs (for changes that arrive by polling)."""
    for _ in range(rounds):
        if condition():
            return True
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()
    return condition()


async def scrolled_text(pilot: Pilot[None], pages: int = 8) -> str:
    """The focused scrollable's whole content, read the way a user does: page by page
    (notifications cleared first: a toast covers the right of the screen)."""
    pilot.app.clear_notifications()
    await press(pilot, "home")
    seen = [screen_text(pilot.app)]  # type: ignore[arg-type]
    for _ in range(pages):
        await press(pilot, "pagedown")
        seen.append(screen_text(pilot.app))  # type: ignore[arg-type]
    return "\n".join(seen)
