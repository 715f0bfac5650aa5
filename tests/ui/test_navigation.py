"""Moving around by keys at 80x24: the five views, the lazy case list, search, help, palette."""

from __future__ import annotations

import asyncio

from textual.widgets import ContentSwitcher

from psm_tui.core import case_queries
from psm_tui.core.case_queries import CaseFilter
from psm_tui.tui.screens.case_detail import CaseDetailScreen
from psm_tui.tui.screens.help import HelpScreen
from psm_tui.tui.widgets.case_table import PAGE, CaseTable
from psm_tui.tui.widgets.view_tabs import ViewTabs
from tests.ui.pilot_helpers import SIZE, press, screen_text, settle, type_text, wait_until


def test_number_keys_switch_the_five_views(demo_app) -> None:
    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            expected = {
                "1": ("dashboard", "Work queues"),
                "2": ("cases", "5,000 cases"),
                "3": ("followups", "follow-ups ·"),
                "4": ("workers", "workers · Kec. Tangerang"),
                "5": ("reports", "5 Reports"),
            }
            for key, (view, text) in [*expected.items(), ("1", expected["1"])]:
                await press(pilot, key)
                assert app.screen.query_one(ContentSwitcher).current == view
                assert app.screen.query_one(ViewTabs).active == view
                assert text in screen_text(app)

    asyncio.run(run())


def test_case_list_shows_demo_rows_and_pages_lazily(demo_app, demo_db) -> None:
    newest = case_queries.list_cases(None, limit=3)
    oldest = case_queries.list_cases(None, limit=1, order="oldest")[0]

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "2")
            table = app.screen.query_one(CaseTable)
            text = screen_text(app)
            assert "5,000 cases" in text
            for row in newest:
                assert row.number in text
            assert set(table._pages) == {0}  # only the first page was read

            await press(pilot, "pagedown")
            assert table.cursor == table.visible_rows
            await press(pilot, "end")
            assert table.cursor == 4999
            assert table.current() is not None and table.current().number == oldest.number
            assert oldest.number in screen_text(app)
            assert 4999 // PAGE in table._pages and 5 not in table._pages

            await press(pilot, "home", "j", "j", "k")
            assert table.cursor == 1
            assert table.current().number == newest[1].number
            await press(pilot, "enter")
            assert isinstance(app.screen, CaseDetailScreen)
            assert app.screen.number == newest[1].number
            await press(pilot, "escape")
            assert app.screen.query_one(CaseTable).cursor == 1

    asyncio.run(run())


def test_slash_searches_by_name_and_by_number(demo_app) -> None:
    target = case_queries.list_cases(None, limit=1, offset=1234)[0]
    wanted = case_queries.count_cases(CaseFilter(search=target.client_name))

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "2", "slash")
            await type_text(pilot, target.client_name)
            await press(pilot, "enter")
            table = app.screen.query_one(CaseTable)
            assert table.filters.search == target.client_name
            assert table.row_count == wanted
            text = screen_text(app)
            assert f"{wanted} cases" in text and target.number in text
            assert isinstance(app.focused, CaseTable)

            await press(pilot, "slash", "ctrl+u")
            await type_text(pilot, target.number)
            await press(pilot, "enter")
            assert table.row_count == 1
            assert table.current().number == target.number

            await press(pilot, "x")
            assert table.filters == CaseFilter() and table.row_count == 5000

    asyncio.run(run())


def test_help_is_generated_from_the_bindings_in_force(demo_app) -> None:
    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "2", "question_mark")
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            table = help_screen.query_one("#help-keys")
            shown = {
                str(table.get_row_at(i)[1]): str(table.get_row_at(i)[0])
                for i in range(table.row_count)
            }
            expected = {
                b.binding.description
                for b in help_screen.below.active_bindings.values()
                if b.binding.id
            }
            assert set(shown) == expected
            assert shown["Assign"] == "a" and shown["Search"] == "/"
            assert shown["Filter"] == "F" and shown["Help"] == "? / f1"
            assert "Mark" in shown and "Summary" in shown and "Quit" in shown
            await press(pilot, "escape")
            assert not isinstance(app.screen, HelpScreen)

    asyncio.run(run())


def test_palette_jumps_to_a_case_number(demo_app) -> None:
    target = case_queries.list_cases(None, limit=1, offset=42)[0]

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "ctrl+p")
            await type_text(pilot, target.number)
            await pilot.pause(0.5)
            await settle(pilot)
            assert f"Open case {target.number}" in screen_text(app)
            await press(pilot, "enter")
            await settle(pilot)
            assert isinstance(app.screen, CaseDetailScreen)
            assert app.screen.number == target.number

    asyncio.run(run())


def test_filters_combine_and_sorting_cycles(demo_app) -> None:
    cipondoh = "36.71.05"
    new_in_cipondoh = CaseFilter(status=("baru",), kecamatan=cipondoh)

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "2", "F")
            await type_text(pilot, "new")  # typing opens the status list and finds "new"
            await press(pilot, "enter", "tab")  # enter picks, tab moves on
            await type_text(pilot, "cipo")
            await press(pilot, "enter", "ctrl+s")
            table = app.screen.query_one(CaseTable)
            assert table.filters == new_in_cipondoh
            assert table.row_count == case_queries.count_cases(new_in_cipondoh)
            assert "new · Kec. Cipondoh" in screen_text(app)

            await press(pilot, "F", "tab", "tab", "tab", "tab", "tab", "space", "ctrl+s")
            combined = CaseFilter(status=("baru",), kecamatan=cipondoh, unassigned=True)
            assert table.filters == combined
            assert table.row_count == case_queries.count_cases(combined)

            await press(pilot, "o")
            assert table.order == "oldest"
            assert (
                table.current().number
                == case_queries.list_cases(None, combined, limit=1, order="oldest")[0].number
            )
            await press(pilot, "x")
            assert table.filters == CaseFilter() and table.row_count == 5000

    asyncio.run(run())


def test_dashboard_columns_fit_their_text_at_80x24(demo_app) -> None:
    """Rows arrive from a worker after the first paint; they must not stay cut to the header."""

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            text = screen_text(app)
            assert "Untriaged (new)" in text
            assert "Kec. Cipondoh" in text

    asyncio.run(run())


def test_text_typed_right_after_slash_lands_in_the_search_box(demo_app) -> None:
    """A fast typist's keys queue up before the app has run "/": none may reach the list."""
    from textual import events

    from psm_tui.tui.views.cases import CasesView

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            for key in ("2", "slash", "s", "a", "r", "i"):  # "s" alone would change a status
                character = {"slash": "/"}.get(key, key)
                app.post_message(events.Key(key, character))
            await settle(pilot)
            view = app.screen.query_one(CasesView)  # still the main screen: no dialog opened
            assert view.query_one("#case-search").value == "sari"

    asyncio.run(run())


def test_the_palette_finds_a_client_by_name(demo_app) -> None:
    target = case_queries.list_cases(None, CaseFilter(status=("ditangani",)), limit=1)[0]
    surname = target.client_name.split()[-1]

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "ctrl+p")
            await type_text(pilot, target.client_name)
            wanted = f"Open case {target.number}: {target.client_name}"
            assert await wait_until(pilot, lambda: wanted in screen_text(app))
            assert surname in screen_text(app)
            await press(pilot, "enter")
            assert isinstance(app.screen, CaseDetailScreen)
            assert app.screen.number == target.number

    asyncio.run(run())
