"""Snapshots of the main screens at 80x24 (textual pinned by uv.lock; the clock is frozen).

Re-take them after an intended change of the screens with
``uv run pytest tests/snapshots --snapshot-update`` and look at the SVGs in the diff.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import textual

from psm_tui.config import load_settings
from psm_tui.core import clock, setup, users
from psm_tui.ops import demo
from psm_tui.store import database
from psm_tui.tui.app import make_app
from psm_tui.tui.application import PsmApp

TEXTUAL_VERSION = "8.2.8"
NOW = dt.datetime(2026, 11, 27, 10, 0)
SIZE = (80, 24)


@pytest.fixture
def frozen_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A small demo database made and shown at a fixed moment, so every pixel is repeatable."""
    assert textual.__version__ == TEXTUAL_VERSION, "snapshots were taken with textual 8.2.8"
    monkeypatch.setattr(clock, "now", lambda: NOW)
    monkeypatch.setattr(clock, "today", lambda: NOW.date())
    path = tmp_path / "snap.db"
    database.open_database(str(path))
    setup.initialise("Petugas Uji")
    demo.generate(seed=7, cases=400)
    yield path


def app_for(path: Path) -> PsmApp:
    return make_app(load_settings(database=str(path)), users.actor_for("tester"), poll_seconds=None)


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def test_dashboard(snap_compare, frozen_demo: Path) -> None:
    assert snap_compare(app_for(frozen_demo), terminal_size=SIZE, run_before=settle)


def test_case_list(snap_compare, frozen_demo: Path) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("j", "j")
        await settle(pilot)

    assert snap_compare(app_for(frozen_demo), terminal_size=SIZE, run_before=run_before)


def test_case_detail(snap_compare, frozen_demo: Path) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(app_for(frozen_demo), terminal_size=SIZE, run_before=run_before)


def test_assign_dialog(snap_compare, frozen_demo: Path) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)

    assert snap_compare(app_for(frozen_demo), terminal_size=SIZE, run_before=run_before)
