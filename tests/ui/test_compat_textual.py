"""``psm_tui/tui/compat_textual.py`` was written for one Textual range: a new Textual fails here,
loudly, until each private access in that module has been re-checked."""

from __future__ import annotations

import asyncio
import importlib

from textual.app import App, ComposeResult
from textual.command import CommandList
from textual.widgets import Label

from psm_tui.i18n import set_language
from psm_tui.tui import compat_textual

RECHECK = (
    "psm_tui/tui/compat_textual.py touches Textual internals and was written for Textual "
    "{low} to {high} (exclusive); this is {found}. Re-check each function there (and the "
    "PRIVATE list) against the new release, then widen SUPPORTED."
)


def test_textual_is_the_version_the_compat_module_was_written_for() -> None:
    low, high = compat_textual.SUPPORTED
    found = compat_textual.textual_version()
    assert low <= found < high, RECHECK.format(low=low, high=high, found=found)


class Tiny(App[None]):
    def compose(self) -> ComposeResult:
        yield Label("halo dunia")
        yield compat_textual.MeasuredDataTable()


def test_the_private_attributes_it_touches_exist_and_mean_what_it_assumes() -> None:
    async def run() -> None:
        app = Tiny()
        async with app.run_test(size=(40, 6), notifications=True) as pilot:
            objects = {"textual.screen:Screen": app.screen, "textual.app:App": app}
            table = app.query_one(compat_textual.MeasuredDataTable)
            objects["textual.widgets:DataTable"] = table
            palette = compat_textual.TranslatedCommandPalette()
            objects["textual.command:CommandPalette"] = palette
            for owner, attribute, use in compat_textual.PRIVATE:
                module, name = owner.split(":")
                assert isinstance(objects[owner], getattr(importlib.import_module(module), name))
                assert hasattr(objects[owner], attribute), (
                    f"{owner}.{attribute} is gone; compat_textual relies on it for {use}"
                )

            measured: list[int] = []
            table.columns_measured = lambda: measured.append(table.row_count)  # type: ignore[method-assign]
            table.add_column("nama")
            table.add_row("Siti Rahmawati binti Abdullah")
            table.measure_new_rows()
            assert measured == [1], "DataTable._update_dimensions no longer measures new rows"
            assert table.columns[next(iter(table.columns))].content_width >= 29
            table.drop_render_caches()

            batches = app._batch_count
            release = compat_textual.hold_repaints(app)
            assert app._batch_count == batches + 1, "App.batch_update no longer counts batches"
            release()
            release()  # a second call does nothing
            assert app._batch_count == batches

            app.notify("tersimpan")
            await pilot.pause()
            assert [n.message for n in compat_textual.notifications(app)] == ["tersimpan"]

            lines = [strip.text for strip in compat_textual.screen_strips(app)]
            assert lines[0].startswith("halo dunia") and len(lines) == 6
            assert "halo dunia" in compat_textual.full_frame(app)
            assert compat_textual.full_frame(app).startswith("\x1b[1;1H")

            set_language("id")
            try:
                await app.push_screen(palette)
                await pilot.press(*"7777")
                found = palette.query_one(CommandList)
                said: list[str] = []
                for _ in range(50):  # Textual says "no matches" after half a second
                    said = [
                        str(found.get_option_at_index(i).prompt) for i in range(found.option_count)
                    ]
                    if len(said) == 1 and "cocok" in said[0]:
                        break
                    await pilot.pause(0.05)
                assert "'Tidak ada yang cocok'" in said[0], said
            finally:
                set_language("en")

    asyncio.run(run())
