"""The TUI's plumbing: views read only when shown, and a worker's failure reaches the right place
(the app's notification for a read, the dialog's error line for a save)."""

from __future__ import annotations

import asyncio

import pytest

from psm_tui.core import followups
from psm_tui.core.errors import PsmError
from psm_tui.tui.compat_textual import notifications
from psm_tui.tui.messages import DataChanged
from psm_tui.tui.modals import new_worker
from psm_tui.tui.modals.new_worker import NewWorkerDialog
from psm_tui.tui.screens.main import MainScreen
from psm_tui.tui.views.followups import FollowupsView
from tests.ui.pilot_helpers import SIZE, press, settle


def test_a_hidden_view_reads_again_only_when_shown(
    demo_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    listed = followups.list_followups

    def counted(*args: object, **kwargs: object) -> list[followups.FollowUpInfo]:
        reads.append(1)
        return listed(*args, **kwargs)  # type: ignore[arg-type]  # passed through as given

    monkeypatch.setattr(followups, "list_followups", counted)

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "3", "1")
            assert len(reads) == 1
            main = app.screen
            assert isinstance(main, MainScreen)
            view = main.built_view("followups")
            assert isinstance(view, FollowupsView)
            app.post_message(DataChanged())
            await settle(pilot)
            assert view.stale and len(reads) == 1  # hidden: marked, not read
            await press(pilot, "3")
            assert not view.stale and len(reads) == 2

    asyncio.run(run())


def test_a_failed_read_in_a_dialog_is_notified_not_shown_as_a_save_error(
    demo_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused() -> list[object]:
        raise PsmError("no kecamatan for you")

    monkeypatch.setattr(new_worker, "all_kecamatan", refused)

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await press(pilot, "4", "n")
            dialog = app.screen
            assert isinstance(dialog, NewWorkerDialog)
            assert any("no kecamatan for you" in n.message for n in notifications(app))
            assert not dialog.query_one(".dialog-error").has_class("-shown")
            assert not dialog.saving

    asyncio.run(run())
