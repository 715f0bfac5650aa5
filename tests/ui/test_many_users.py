"""Several people on one database: stale saves, changes appearing, a busy database."""

from __future__ import annotations

import asyncio

import peewee

from psm_tui.core import case_queries, cases, users
from psm_tui.core.case_queries import CaseFilter
from psm_tui.store.models import Case
from psm_tui.tui.compat_textual import notifications
from psm_tui.tui.messages import OpenCase
from psm_tui.tui.modals.priority import PriorityDialog
from psm_tui.tui.modals.stale import StaleDialog
from psm_tui.tui.screens.case_detail import CaseDetailScreen
from psm_tui.tui.widgets.case_table import CaseTable
from tests.ui.pilot_helpers import SIZE, press, screen_text, settle, type_text, wait_until


def colleague() -> users.Actor:
    admin = users.actor_for("tester")
    users.add_user(admin, "siti", "operator", full_name="Siti Nurhaliza")
    return users.actor_for("siti")


def test_a_stale_save_opens_a_dialog_naming_who_and_offers_reload(demo_app) -> None:
    siti = colleague()
    number = case_queries.list_cases(None, CaseFilter(status=("ditangani",)), limit=1)[0].number
    cases.set_priority(users.actor_for("tester"), number, "normal")

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            app.post_message(OpenCase(number))
            await settle(pilot)
            seen = app.screen.detail.version
            cases.set_priority(siti, number, "rendah")  # behind the screen's back
            await press(pilot, "p")
            assert isinstance(app.screen, PriorityDialog)
            await press(pilot, "home", "enter")  # darurat
            assert isinstance(app.screen, StaleDialog)
            text = screen_text(app)
            assert "Siti Nurhaliza" in text and "Not saved" in text
            assert text.count("Siti Nurhaliza") == 1 and text.count("reload") == 1  # said once
            case = Case.get(Case.number == number)
            assert (case.priority, case.version) == ("rendah", seen + 1)  # nothing overwritten
            await press(pilot, "r")
            assert isinstance(app.screen, CaseDetailScreen)
            assert app.screen.detail.version == seen + 1
            assert f"v{seen + 1}" in screen_text(app) and "priority low" in screen_text(app)

    asyncio.run(run())


def test_a_change_made_elsewhere_appears_in_the_open_list_keeping_the_cursor(demo_app) -> None:
    siti = colleague()

    async def run() -> None:
        app = demo_app(poll_seconds=0.2)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await press(pilot, "2", "j", "j")
            table = app.screen.query_one(CaseTable)
            held = table.current().number
            new = cases.register_case(siti, name="Warga Baru", kelurahan="Kenanga", category=24)
            assert await wait_until(pilot, lambda: table.row_count == 5001)
            await settle(pilot)
            assert new.case.number in screen_text(app)
            assert table.current().number == held and table.cursor == 3

    asyncio.run(run())


def test_two_apps_on_one_database_conflict_without_overwriting(demo_app) -> None:
    colleague()
    number = case_queries.list_cases(None, CaseFilter(status=("ditangani",)), limit=1)[0].number
    cases.set_priority(users.actor_for("tester"), number, "normal")

    async def run() -> None:
        mine, theirs = demo_app(), demo_app(username="siti")
        async with mine.run_test(size=SIZE) as me, theirs.run_test(size=SIZE) as other:
            for app, pilot in ((mine, me), (theirs, other)):
                app.post_message(OpenCase(number))
                await settle(pilot)
            await press(other, "p", "end", "enter")  # siti: rendah, saved first
            assert Case.get(Case.number == number).priority == "rendah"
            await press(me, "p", "home", "enter")  # me: darurat, over a stale version
            assert isinstance(mine.screen, StaleDialog)
            assert "Siti Nurhaliza" in screen_text(mine)
            assert Case.get(Case.number == number).priority == "rendah"

    asyncio.run(run())


def test_a_busy_database_shows_a_retry_message_not_a_crash(demo_app, monkeypatch) -> None:
    number = case_queries.list_cases(None, CaseFilter(status=("ditangani",)), limit=1)[0].number

    def locked(*args: object, **kwargs: object) -> None:
        raise peewee.OperationalError("database is locked")

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            app.post_message(OpenCase(number))
            await settle(pilot)
            monkeypatch.setattr(cases, "add_note", locked)
            await press(pilot, "c")
            await type_text(pilot, "catatan")
            await press(pilot, "ctrl+s")
            assert "database is busy" in screen_text(app)
            assert app.is_running
            monkeypatch.setattr(case_queries, "count_cases", locked)
            await press(pilot, "escape", "escape", "2")
            assert app.is_running
            assert any("database is busy" in n.message for n in notifications(app))

    asyncio.run(run())


def test_a_case_registered_with_the_cli_appears_in_the_open_list(demo_app, demo_db) -> None:
    """A colleague's `psm case new` in another process shows up without a restart."""
    import os
    import pwd
    import subprocess
    import sys

    login = pwd.getpwuid(os.geteuid()).pw_name
    users.add_user(users.actor_for("tester"), login, "operator", full_name="Rekan Kerja")
    command = [sys.executable, "-m", "psm_tui", "--lang", "en", "--db", str(demo_db), "case"]
    command += ["new", "--name", "Warga Dari CLI", "--kelurahan", "Kenanga", "--category", "24"]

    async def run() -> None:
        app = demo_app(poll_seconds=0.2)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await press(pilot, "2")
            table = app.screen.query_one(CaseTable)
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            number = done.stdout.strip()
            assert await wait_until(pilot, lambda: table.row_count == 5001)
            await settle(pilot)
            assert number in screen_text(app)
            assert "Warga D" in screen_text(app)  # the column cuts the rest

    asyncio.run(run())
