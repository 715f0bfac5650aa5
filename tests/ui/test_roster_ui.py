"""Keys only, at 80x24: open a PSM's profile, record a training, move them to another kelurahan
with their open cases handed over, and check the database."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from textual.widgets import Static

from psm_tui.config import load_settings
from psm_tui.core import assignment, cases, workers
from psm_tui.core.dto import Actor
from psm_tui.store.models import (
    Assignment,
    AuditLog,
    Case,
    TrainingAttendance,
    TrainingSession,
    Worker,
)
from psm_tui.tui.app import make_app
from psm_tui.tui.modals.roster import HandoverReport, MoveDialog, TrainingDialog
from psm_tui.tui.screens.worker_profile import WorkerProfileScreen


async def settle(pilot) -> None:
    """Let thread workers finish and their results reach the screen."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def test_profile_training_and_move_with_keys_only(initialised: Path, admin: Actor) -> None:
    budi = workers.add_worker(admin, kind="psm", name="Budi Santoso", kelurahan="Poris Plawad").id
    ani = workers.add_worker(admin, kind="psm", name="Ani Lestari", kelurahan="Poris Plawad").id
    workers.add_worker(admin, kind="psm", name="Citra Dewi", kelurahan="Kenanga")
    numbers = []
    for client in ("Ibu Sari", "Pak Joko", "Mbah Darmi"):
        number = cases.register_case(
            admin, name=client, kelurahan="Poris Plawad", category=8
        ).case.number
        assignment.assign_case(admin, number, worker_id=budi)
        numbers.append(number)

    app = make_app(load_settings(database=str(initialised), lang="en"), admin, poll_seconds=None)
    asyncio.run(drive(app, budi, ani, numbers))


async def drive(app, budi: int, ani: int, numbers: list[str]) -> None:
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("4", "slash", *"Budi", "enter")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WorkerProfileScreen)
        lines = str(screen.query_one("#profile-lines", Static).render())
        assert "Kel. Poris Plawad, Kec. Cipondoh" in lines and "3 open cases" in lines
        assert "never trained" in lines

        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TrainingDialog)
        await pilot.press(*"Asesmen lansia", "tab", "tab", *"6", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, WorkerProfileScreen)
        session = TrainingSession.get()
        assert (session.topic, session.hours, session.organiser) == (
            "Asesmen lansia",
            6.0,
            "Dinas Sosial Kota Tangerang",
        )
        assert [a.worker_id for a in TrainingAttendance.select()] == [budi]

        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MoveDialog)
        await pilot.press(*"Kenanga", "enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        report = app.screen
        assert isinstance(report, HandoverReport)
        assert len(report.change.handed_over) == 3

        moved = Worker.get_by_id(budi)
        assert moved.kelurahan_code == "36.71.05.1005"  # Kel. Kenanga
        assert workers.open_caseload(budi) == 0
        for number in numbers:
            case = Case.get(Case.number == number)
            assert case.worker_id == ani  # auto: the PSM left in the case's kelurahan
            history = [
                a.worker_id
                for a in Assignment.select()
                .where(Assignment.case == case.id)
                .order_by(Assignment.id)
            ]
            assert history == [budi, ani]
            changes = [
                json.loads(a.changes).get("worker")
                for a in AuditLog.select().where(
                    AuditLog.case_number == number, AuditLog.action == "case.assign"
                )
            ]
            assert [budi, ani] in changes
        assert AuditLog.select().where(AuditLog.action == "worker.move").count() == 1

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, WorkerProfileScreen)
        lines = str(app.screen.query_one("#profile-lines", Static).render())
        assert "Kel. Kenanga, Kec. Cipondoh" in lines and "0 open cases" in lines
        assert "1 trainings; last" in lines
