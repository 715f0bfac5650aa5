"""The screen diff in the running app: ``ctrl+l`` sends every cell again, and the app runs with
the diff turned off (``terminal_diff = false`` / ``PSM_TERMINAL_DIFF=0``) or another driver named.

The app writes to a recording driver (a headless one that says it is not headless, so Textual
writes its frames to it); a terminal model replays what was written.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from collections.abc import Callable

import pytest
from textual import constants
from textual.drivers.headless_driver import HeadlessDriver

from psm_tui.config import load_settings
from psm_tui.tui.application import PsmApp
from psm_tui.tui.compat_textual import full_frame
from psm_tui.tui.terminal import DiffWriter, diff_driver
from tests.ui.pilot_helpers import SIZE, press, screen_text
from tests.ui.test_terminal import Terminal


class Recorder(HeadlessDriver):
    """Keeps what Textual writes."""

    written: list[str]

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        type(self).written.append(data)


def recorder(*, diff: bool) -> type[Recorder]:
    driver = type("Recording", (Recorder,), {"written": []})
    return diff_driver(driver) if diff else driver  # type: ignore[return-value]


def test_ctrl_l_sends_every_cell_again_and_clears_a_stray_write(demo_app) -> None:
    async def run() -> None:
        app = demo_app()
        app.driver_class = driver = recorder(diff=True)
        async with app.run_test(size=SIZE, headless=False) as pilot:
            await press(pilot, "2")
            shown = Terminal()
            shown.feed("".join(driver.written))
            expected = Terminal()
            expected.feed(full_frame(app))
            assert shown.cells == expected.cells
            shown.feed("\x1b[12;1HBroadcast message from root: reboot")  # wall, behind our back
            assert shown.cells != expected.cells
            driver.written.clear()
            await press(pilot, "j", "k")  # the diff does not know: the garbage stays
            shown.feed("".join(driver.written))
            assert shown.cells != expected.cells
            driver.written.clear()
            await press(pilot, "ctrl+l")
            repaint = "".join(driver.written)
            rows = Terminal()
            rows.feed(repaint)
            assert rows.rows() == set(range(SIZE[1]))  # every row sent again
            shown.feed(repaint)
            assert shown.cells == expected.cells

    asyncio.run(run())


def test_the_repaint_key_is_in_the_help_and_remappable(demo_app) -> None:
    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "f1")
            assert "Redraw the screen" in screen_text(app)
            assert "^l" in screen_text(app) or "ctrl+l" in screen_text(app).lower()

    asyncio.run(run())


def test_the_app_runs_with_the_diff_turned_off(demo_app) -> None:
    async def run() -> None:
        app = demo_app()
        app.settings = dataclasses.replace(app.settings, terminal_diff=False)
        assert not issubclass(app.get_driver_class(), DiffWriter)
        app.driver_class = driver = recorder(diff=False)
        async with app.run_test(size=SIZE, headless=False) as pilot:
            await press(pilot, "2")
            await press(pilot, "j")
            assert "Kasus" in screen_text(app) or "Cases" in screen_text(app)
            driver.written.clear()
            await press(pilot, "ctrl+l")
            rows = Terminal()
            rows.feed("".join(driver.written))
            assert rows.rows() == set(range(SIZE[1]))

    asyncio.run(run())


@pytest.mark.skipif(sys.platform == "win32", reason="the diff is for the Linux driver")
def test_the_driver_is_chosen_by_the_setting_and_textual_driver(
    demo_app: Callable[..., PsmApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.drivers.linux_driver import LinuxDriver

    app = demo_app()
    chosen = app.get_driver_class()
    assert issubclass(chosen, DiffWriter) and issubclass(chosen, LinuxDriver)
    monkeypatch.setattr(constants, "DRIVER", "textual.drivers.linux_driver:LinuxDriver")
    assert app.get_driver_class() is LinuxDriver  # a driver named is used as named
    monkeypatch.setattr(constants, "DRIVER", None)
    monkeypatch.setenv("PSM_TERMINAL_DIFF", "0")
    assert load_settings().terminal_diff is False
    app.settings = load_settings()
    assert app.get_driver_class() is LinuxDriver


def test_terminal_diff_is_read_from_the_config_file(tmp_path, monkeypatch) -> None:
    from psm_tui import config

    path = tmp_path / "config.toml"
    path.write_text("terminal_diff = false\n")
    monkeypatch.setattr(config, "user_config_path", lambda: path)
    assert config.load_settings().terminal_diff is False
    monkeypatch.setenv("PSM_TERMINAL_DIFF", "1")
    assert config.load_settings().terminal_diff is True
