"""User text is shown literally: markup, escape sequences and very long text never break the app."""

from __future__ import annotations

import asyncio

import pytest

from psm_tui.core import assignment, case_queries
from psm_tui.core.case_queries import CaseFilter
from psm_tui.store.models import Case, Client, Worker
from psm_tui.tui.compat_textual import notifications
from psm_tui.tui.messages import OpenCase
from psm_tui.tui.modals.assign import AssignDialog
from psm_tui.tui.modals.client import ClientEditDialog, EnrolDialog, MergeDialog
from psm_tui.tui.screens.case_detail import CaseDetailScreen
from psm_tui.tui.screens.client import ClientScreen
from psm_tui.tui.widgets.case_table import CaseTable
from tests.ui.pilot_helpers import SIZE, press, screen_text, scrolled_text, settle, type_text

NASTY = "[bold]x[/] [/] [@click=app.quit]q[/] \x1b[31mred"
SHOWN = r"[bold]x[/] [/] [@click=app.quit]q[/] \x1b[31mred"


def test_markup_and_escapes_in_a_client_name_show_literally(demo_app) -> None:
    target = case_queries.list_cases(None, CaseFilter(status=("baru",), unassigned=True), limit=1)[
        0
    ]
    Client.update(name=NASTY).where(Client.id == Case.get_by_id(target.id).client_id).execute()

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=(120, 30), notifications=True) as pilot:
            await press(pilot, "2", "slash")
            await type_text(pilot, target.number)
            await press(pilot, "enter")
            table = app.screen.query_one(CaseTable)
            assert table.current().client_name == NASTY
            text = screen_text(app)
            assert "[bold]x[/] [/]" in text  # the list row and the preview line
            assert "\\x1b[31mred" in text and "\x1b" not in text

            await press(pilot, "enter")
            assert isinstance(app.screen, CaseDetailScreen)
            text = await scrolled_text(pilot)
            assert SHOWN in text and "\x1b" not in text

            await press(pilot, "a")
            assert isinstance(app.screen, AssignDialog)
            assert "[bold]x[/] [/]" in screen_text(app)
            await press(pilot, "escape")
            assert app.is_running

            await press(pilot, "o")  # the client's record, and its dialogs titled by the name
            assert isinstance(app.screen, ClientScreen)
            assert "[bold]x[/] [/]" in screen_text(app)
            for key, dialog in (("e", ClientEditDialog), ("g", EnrolDialog), ("m", MergeDialog)):
                await press(pilot, key)
                assert isinstance(app.screen, dialog)
                assert "[bold]x[/] [/]" in screen_text(app)
                await press(pilot, "escape")
            assert app.is_running

    asyncio.run(run())


def test_markup_in_a_worker_name_reaches_a_notification_literally(demo_app) -> None:
    number = case_queries.list_cases(None, CaseFilter(status=("baru",), unassigned=True), limit=1)[
        0
    ].number
    first = assignment.candidates(number)[0].worker
    Worker.update(name="[/]Budi [bold]x[/]").where(Worker.id == first.id).execute()
    row = [c.worker.id for c in assignment.candidates(number)].index(first.id)

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=(120, 30), notifications=True) as pilot:
            app.post_message(OpenCase(number))
            await settle(pilot)
            await press(pilot, "a", *["down"] * row, "enter")
            assert Case.get(Case.number == number).worker_id == first.id
            assert app.is_running
            messages = [n.message for n in notifications(app)]
            assert any("assigned to [/]Budi [bold]x[/]" in m for m in messages)
            assert "[/]Budi [bold]x[/]" in screen_text(app)

    asyncio.run(run())


@pytest.mark.parametrize("note", [NASTY.split(" \x1b")[0], "[/bold] x", "é" * 4000])
def test_a_nasty_note_is_saved_and_shown_literally(demo_app, note: str) -> None:
    number = case_queries.list_cases(None, CaseFilter(status=("ditangani",)), limit=1)[0].number

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            app.post_message(OpenCase(number))
            await settle(pilot)
            await press(pilot, "c")
            app.screen.query_one("#text").text = note
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, CaseDetailScreen)
            assert app.is_running
            text = await scrolled_text(pilot)
            shown = note.replace("\x1b", "\\x1b")
            assert shown[:9] in text and "\x1b" not in text

    asyncio.run(run())


def test_no_color_keeps_the_cursor_visible(demo_app, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    async def run() -> None:
        app = demo_app()
        assert app.no_color
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "2")
            table = app.screen.query_one(CaseTable)
            assert table.get_component_rich_style("case-table--cursor").reverse
            strip = table.render_line(1)
            assert any(seg.style and seg.style.reverse for seg in strip)

    asyncio.run(run())
