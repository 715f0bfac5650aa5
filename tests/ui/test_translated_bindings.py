"""Key descriptions are shown in the reader's language, whenever it was chosen, for the bindings
of the screen, of the focused widget and of the app, and remapping by id still works."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input

from psm_tui.i18n import N_, set_language
from psm_tui.tui import compat_textual
from psm_tui.tui.keys import TranslatedScreen


class Field(Input):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f2", "find", N_("Search"), id="t.search")]


class Home(TranslatedScreen, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f3", "assign", N_("Assign"), id="t.assign")]

    def compose(self) -> ComposeResult:
        yield Field()
        yield Footer()


class Host(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f1", "help", N_("Help"), id="t.help")]

    def on_mount(self) -> None:
        self.push_screen(Home())


def shown(app: App[None]) -> str:
    return "\n".join(strip.text for strip in compat_textual.screen_strips(app))


def test_the_footer_describes_every_binding_in_the_language_chosen_after_import() -> None:
    async def run() -> None:
        set_language("id")  # after the classes above were built with English message ids
        app = Host()
        async with app.run_test(size=(120, 4)) as pilot:
            app.screen.query_one(Field).focus()
            await pilot.pause()
            footer = shown(app)
            assert "Tugaskan" in footer and "Cari" in footer and "Bantuan" in footer, footer
            assert "Assign" not in footer and "Help" not in footer

            set_language("en")
            app.screen.refresh_bindings()
            await pilot.pause()
            footer = shown(app)
            assert "Assign" in footer and "Search" in footer and "Help" in footer, footer

            app.set_keymap({"t.assign": "f4"})
            await pilot.pause()
            assert app.screen.active_bindings["f4"].binding.description == "Assign"
            assert "f3" not in app.screen.active_bindings

    asyncio.run(run())
