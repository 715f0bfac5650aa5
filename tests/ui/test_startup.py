"""Start-up: the dashboard's figures are read once, early; other views are built when shown."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from psm_tui.core import dashboard
from psm_tui.tui.screens.main import MainScreen
from tests.ui.pilot_helpers import SIZE, press, screen_text, settle


def test_the_first_figures_are_read_once_and_shown(
    demo_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    figures = dashboard.figures

    def counted(*args: object, **kwargs: object) -> dashboard.Dashboard:
        calls.append(1)
        return figures(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(dashboard, "figures", counted)

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            expected = figures(app.actor)
            assert len(calls) == 1  # the dashboard used it, no second read
            text = screen_text(app)
            assert "Untriaged (new)" in text
            assert f"{expected.open_cases:,}" in text

    asyncio.run(run())


def test_views_are_built_the_first_time_they_are_shown(demo_app) -> None:
    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            main = app.screen
            assert isinstance(main, MainScreen)
            assert [main.built_view(v) is None for v in ("cases", "followups", "reports")] == [
                True,
                True,
                True,
            ]
            await press(pilot, "3")
            assert main.built_view("followups") is not None
            assert "follow-ups ·" in screen_text(app)
            await press(pilot, "1", "3")  # shown again: the same view, not a second one
            assert len(main.query("#followups")) == 1

    asyncio.run(run())


def test_warm_up_imports_every_view_and_dialog() -> None:
    """In a fresh interpreter: after warm_up, opening any view or dialog imports nothing new."""
    probe = (
        "import pkgutil, sys\n"
        "from psm_tui.tui import modals, views\n"
        "from psm_tui.tui.application import warm_up\n"
        "warm_up()\n"
        "wanted = [f'{p.__name__}.{m.name}' for p in (modals, views)"
        " for m in pkgutil.iter_modules(p.__path__)]\n"
        "wanted.append('psm_tui.tui.screens.case_detail')\n"
        "print(len(wanted), [m for m in wanted if m not in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    count, missing = out.stdout.split(" ", 1)
    assert int(count) > 15 and missing.strip() == "[]"
