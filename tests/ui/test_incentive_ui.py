"""Keys only, at 80x24: a PSM's bank details in the profile (masked below supervisor) and
corrected with b; the month's incentive from Laporan with i: its status, prepared, paid out,
and a second payout refused with the core's message. Screen and database both checked."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from textual.widgets import Static

from psm_tui.config import load_settings
from psm_tui.core import clock, workers
from psm_tui.core.dto import Actor
from psm_tui.store.models import AuditLog, IncentivePayout, Worker
from psm_tui.tui.app import make_app
from psm_tui.tui.application import PsmApp
from psm_tui.tui.modals.bank import BankDialog
from psm_tui.tui.modals.incentive import IncentiveDialog
from psm_tui.tui.screens.worker_profile import WorkerProfileScreen
from tests.conftest import make_user
from tests.ui.pilot_helpers import SIZE, press, screen_text, type_text


def app_for(database: Path, who: Actor) -> PsmApp:
    return make_app(load_settings(database=str(database), lang="en"), who, poll_seconds=None)


async def open_profile(app: PsmApp, pilot, name: str) -> str:  # type: ignore[no-untyped-def]
    await press(pilot, "4", "slash")
    await type_text(pilot, name)
    await press(pilot, "enter", "o")
    assert isinstance(app.screen, WorkerProfileScreen)
    return str(app.screen.query_one("#profile-lines", Static).render())


def test_bank_details_shown_by_role_and_corrected_in_the_profile(
    initialised: Path, admin: Actor
) -> None:
    budi = workers.add_worker(admin, kind="psm", name="Budi Santoso", kelurahan="Poris Plawad").id
    workers.edit_worker(admin, budi, bank="BJB", account="0012345678", holder="Budi Santoso")
    operator = make_user(admin, "ops", "operator")

    async def as_operator() -> None:
        app = app_for(initialised, operator)
        async with app.run_test(size=SIZE) as pilot:
            lines = await open_profile(app, pilot, "Budi")
            assert "Bank: BJB · ******5678" in lines
            assert "0012345678" not in lines and "holder" not in lines

    async def as_admin() -> None:
        app = app_for(initialised, admin)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            lines = await open_profile(app, pilot, "Budi")
            assert "Bank: BJB · 0012345678 · holder Budi Santoso" in lines
            await press(pilot, "question_mark")
            assert re.search(r"\bb +Bank\b", screen_text(app))  # the key in help
            await press(pilot, "escape", "b")
            assert isinstance(app.screen, BankDialog)
            await press(pilot, "ctrl+a", "ctrl+k")  # the bank field, emptied
            await type_text(pilot, "Bank DKI")
            await press(pilot, "tab", "ctrl+a", "ctrl+k")
            await type_text(pilot, "12x")
            assert "Account number 12x is not valid" in screen_text(app)
            await press(pilot, "backspace", "ctrl+a", "ctrl+k")
            await type_text(pilot, "9988-7766-55")
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, WorkerProfileScreen)
            lines = str(app.screen.query_one("#profile-lines", Static).render())
            assert "Bank: Bank DKI · 9988776655 · holder Budi Santoso" in lines
            assert "Bank details of Budi Santoso saved" in screen_text(app)

    asyncio.run(as_operator())
    asyncio.run(as_admin())
    worker = Worker.get_by_id(budi)
    assert (worker.bank_name, worker.bank_account, worker.bank_holder) == (
        "Bank DKI",
        "9988776655",
        "Budi Santoso",
    )
    edit = (
        AuditLog.select()
        .where(AuditLog.action == "worker.edit")
        .order_by(AuditLog.id.desc())
        .first()
    )
    assert json.loads(edit.changes)["bank_account"] == ["******5678", "******6655"]
    assert "9988776655" not in edit.changes
    assert AuditLog.select().where(AuditLog.action == "worker.bank.view").count() == 2


def test_incentive_month_prepared_paid_out_once_from_laporan(
    initialised: Path, admin: Actor
) -> None:
    for name in ("Budi Santoso", "Ani Lestari"):
        workers.add_worker(admin, kind="psm", name=name, kelurahan="Poris Plawad")
    supervisor = make_user(admin, "sri", "supervisor")
    month = f"{clock.today():%Y-%m}"  # the PSM joined today

    async def month_dialog(app: PsmApp, pilot) -> str:  # type: ignore[no-untyped-def]
        await press(pilot, "i")
        assert isinstance(app.screen, IncentiveDialog)
        await press(pilot, "ctrl+a", "ctrl+k")
        await type_text(pilot, month)
        return str(app.screen.query_one("#incentive-status", Static).render())

    async def run() -> None:
        app = app_for(initialised, supervisor)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await press(pilot, "5", "question_mark")
            assert re.search(r"\bi +Incentive\b", screen_text(app))
            await press(pilot, "escape")
            assert f"{month}: not prepared" == await month_dialog(app, pilot)
            await press(pilot, "ctrl+s")
            assert not isinstance(app.screen, IncentiveDialog)
            assert "prepared" in screen_text(app) and "2 PSM, Rp1.000.000" in screen_text(app)
            status = await month_dialog(app, pilot)
            assert status.startswith(f"{month}: prepared") and "by sri" in status
            await press(pilot, "ctrl+o")
            assert not isinstance(app.screen, IncentiveDialog)
            status = await month_dialog(app, pilot)
            assert status.startswith(f"{month}: paid out on") and "by sri" in status
            await press(pilot, "ctrl+o")  # a second payout
            assert isinstance(app.screen, IncentiveDialog)
            text = screen_text(app)
            assert f"The incentive for {month} was already paid out" in text
            assert "by sri" in text

    asyncio.run(run())
    payout = IncentivePayout.get()
    assert (payout.status, payout.psm, payout.amount) == ("paid", 2, 1_000_000)
    assert payout.paid_on == clock.today() and payout.paid_by.username == "sri"
    actions = [a.action for a in AuditLog.select().where(AuditLog.entity == "incentive")]
    assert actions == ["incentive.prepare", "incentive.pay"]
