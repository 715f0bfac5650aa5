"""The import screen by keys at 80x24: palette, path, check (preview + refusals), import."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import DataTable, ProgressBar, Static

from psm_tui.config import load_settings
from psm_tui.core.dto import Actor
from psm_tui.store.models import Case
from psm_tui.tui.app import make_app
from psm_tui.tui.application import PsmApp
from psm_tui.tui.modals.import_file import ImportDialog
from tests.ui.pilot_helpers import press, screen_text, settle, type_text

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"


def build(initialised: Path, admin: Actor) -> PsmApp:
    return make_app(load_settings(database=str(initialised), lang="en"), admin, poll_seconds=None)


def text_of(app: PsmApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def test_check_then_import_from_the_palette(initialised: Path, admin: Actor) -> None:
    asyncio.run(check_then_import(build(initialised, admin)))


async def check_then_import(app: PsmApp) -> None:
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "Import workers")
        await pilot.pause(0.5)
        await press(pilot, "enter")
        assert isinstance(app.screen, ImportDialog)

        await type_text(pilot, str(FIXTURES / "cases_semicolon_bom.csv"))
        await press(pilot, "ctrl+s")
        summary = text_of(app, "#import-summary")
        assert "Dry run: would import 3 case(s); nothing written." in summary
        preview = app.screen.query_one("#import-preview", DataTable)
        assert preview.row_count == 3
        assert [str(c) for c in preview.get_row_at(0)[:2]] == ["2", "Siti Aminah"]
        assert "Import 3 (ctrl+s)" in screen_text(app)
        assert Case.select().count() == 0

        await press(pilot, "ctrl+s")
        assert "Imported 3 case(s) (2024-000001 … 2024-000003)." in text_of(app, "#import-summary")
        assert app.screen.query_one(ProgressBar).progress == 100
        assert Case.select().count() == 3
        await press(pilot, "ctrl+s")  # Close
        assert not isinstance(app.screen, ImportDialog)


def test_refusals_are_listed_and_block_the_import(initialised: Path, admin: Actor) -> None:
    asyncio.run(refusals_listed(build(initialised, admin)))


async def refusals_listed(app: PsmApp) -> None:
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        app.push_screen(ImportDialog())
        await settle(pilot)
        await type_text(pilot, str(FIXTURES / "cases_one_bad.csv"))
        await press(pilot, "ctrl+s")
        refusals = text_of(app, "#import-refusals")
        assert refusals.startswith("row 4, nik: NIK 3.67105E+15 was turned into a number")
        assert "Fix the refused rows, or tick the box" in text_of(app, "#import-summary")
        await press(pilot, "ctrl+s")  # checks again: nothing to import while refused
        assert Case.select().count() == 0

        app.screen.query_one("#skip").value = True
        await settle(pilot)
        assert "Check (ctrl+s)" in screen_text(app)
        await press(pilot, "ctrl+s")
        assert "Dry run: would import 4 case(s)" in text_of(app, "#import-summary")
        await press(pilot, "ctrl+s")
        assert Case.select().count() == 4
        assert "Imported 4 case(s)" in text_of(app, "#import-summary")


def test_markup_in_the_file_is_shown_literally(
    initialised: Path, admin: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "[b]x[-].csv"
    path.write_text("Nama,Kelurahan,Kategori,[/bold]\n[/] Siti,Petir,24,[@click=app.quit]x\n")
    asyncio.run(markup_literal(build(initialised, admin), path))


async def markup_literal(app: PsmApp, path: Path) -> None:
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        app.push_screen(ImportDialog())
        await settle(pilot)
        await type_text(pilot, str(path))
        await press(pilot, "ctrl+s")
        assert "[b]x[-].csv (CSV" in text_of(app, "#import-summary")
        preview = app.screen.query_one("#import-preview", DataTable)
        assert [str(c) for c in preview.get_row_at(0)] == ["2", "[/] Siti", "Petir", "24",
                                                           "[@click=app.quit]x"]  # fmt: skip
        assert app.is_running
