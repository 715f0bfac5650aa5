"""The day's work by keys only, each step checked on the screen and in the database."""

from __future__ import annotations

import asyncio

from psm_tui.core import assignment, case_queries, cases, timeline, users
from psm_tui.core.case_queries import CaseFilter
from psm_tui.store.models import Activity, Case, Client, FollowUp, Worker
from psm_tui.tui.messages import OpenCase
from psm_tui.tui.modals.assign import AssignDialog
from psm_tui.tui.modals.bulk_assign import BulkAssignDialog
from psm_tui.tui.modals.new_case import NewCaseDialog
from psm_tui.tui.modals.status import StatusDialog
from psm_tui.tui.screens.case_detail import CaseDetailScreen
from psm_tui.tui.widgets.case_table import CaseTable
from tests.ui.pilot_helpers import SIZE, press, screen_text, settle, type_text


def first_case(status: str, *, unassigned: bool = False) -> str:
    return case_queries.list_cases(
        None, CaseFilter(status=(status,), unassigned=unassigned), limit=1
    )[0].number


async def open_case(pilot, number: str) -> CaseDetailScreen:
    pilot.app.post_message(OpenCase(number))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CaseDetailScreen) and screen.detail is not None
    return screen


def test_new_case_dialog_registers_a_case(demo_app) -> None:
    before = Case.select().count()

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await press(pilot, "2", "n")
            dialog = app.screen
            assert isinstance(dialog, NewCaseDialog)
            assert all(not i.cursor_blink for i in dialog.query("Input"))
            await type_text(pilot, "Siti Rahmawati")
            await press(pilot, "tab")
            await type_text(pilot, "poris plawad ut")
            assert "Kel. Poris Plawad Utara, Kec. Cipondoh" in screen_text(app)
            await press(pilot, "enter")  # picks the match, moves to the category
            await type_text(pilot, "lanjut")  # typing opens the list and finds the category
            await press(pilot, "enter")  # picked: the focus stays on the category
            assert app.focused is dialog.query_one("#category")
            await press(pilot, "tab", "tab")  # the priority, then the description
            await type_text(pilot, "Tinggal sendiri")
            await press(pilot, "tab")
            await type_text(pilot, "12345")
            assert "NIK must be 16 digits, got 5" in screen_text(app)
            await press(pilot, "ctrl+s")
            assert Case.select().count() == before  # refused while a field is invalid
            await press(pilot, *["backspace"] * 5)
            await press(pilot, "ctrl+s")
            if isinstance(app.screen, NewCaseDialog):  # possible duplicates: confirm
                assert "Possible duplicates" in screen_text(app)
                await press(pilot, "ctrl+s")
            assert isinstance(app.screen, CaseDetailScreen)
            case = Case.select().order_by(Case.id.desc()).get()
            assert Case.select().count() == before + 1
            assert (
                case.client.name,
                case.kelurahan_code,
                case.category_code,
                case.status,
                case.description,
            ) == ("Siti Rahmawati", "36.71.05.1009", 8, "baru", "Tinggal sendiri")
            assert case.created_by.username == "tester"
            assert app.screen.number == case.number
            assert case.number in screen_text(app)

    asyncio.run(run())


def test_new_case_shows_possible_duplicates_before_saving(demo_app) -> None:
    existing = Client.select().where(Client.nik.is_null(False)).first()

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "2", "n")
            await type_text(pilot, existing.name)
            await press(pilot, "tab")
            await type_text(pilot, "kenanga")
            await press(pilot, "enter")
            await type_text(pilot, "fakir")
            await press(pilot, "enter", "tab", "tab", "tab")  # category, priority, description
            await type_text(pilot, existing.nik)
            before = Case.select().count()
            await press(pilot, "ctrl+s")
            await pilot.pause(0.7)
            await settle(pilot)
            assert isinstance(app.screen, NewCaseDialog)
            text = screen_text(app)
            assert "Possible duplicates" in text and "same NIK" in text
            assert Case.select().count() == before
            await press(pilot, "ctrl+s")
            await settle(pilot)  # the save runs in a thread worker
            assert Case.select().count() == before + 1
            newest = Case.select().order_by(Case.id.desc()).get()
            assert newest.client_id == existing.id  # the same person, found by NIK

    asyncio.run(run())


def test_assign_dialog_auto_assigns_with_capital_a(demo_app) -> None:
    number = first_case("baru", unassigned=True)
    expected = assignment.candidates(number)[0].worker

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await open_case(pilot, number)
            await press(pilot, "a")
            assert isinstance(app.screen, AssignDialog)
            assert expected.name in screen_text(app)
            await press(pilot, "A")
            await settle(pilot)
            assert isinstance(app.screen, CaseDetailScreen)
            case = Case.get(Case.number == number)
            assert (case.worker_id, case.status) == (expected.id, "ditugaskan")
            text = screen_text(app)
            assert "assigned" in text and expected.name in text
            assert "fewest open cases" in text  # the notification says why

    asyncio.run(run())


def test_assign_dialog_enter_gives_the_case_to_the_highlighted_worker(demo_app) -> None:
    number = first_case("baru", unassigned=True)
    second = assignment.candidates(number)[1].worker

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await open_case(pilot, number)
            await press(pilot, "a", "down", "enter")
            assert Case.get(Case.number == number).worker_id == second.id

    asyncio.run(run())


def test_status_selesai_requires_an_outcome(demo_app) -> None:
    number = first_case("ditangani")

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await open_case(pilot, number)
            await press(pilot, "s")
            assert isinstance(app.screen, StatusDialog)
            await press(pilot, "enter")  # "resolved" is the first allowed move
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, StatusDialog)
            assert "A resolved case needs its outcome." in screen_text(app)
            assert Case.get(Case.number == number).status == "ditangani"
            await type_text(pilot, "Terdaftar PBI-JK")
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, CaseDetailScreen)
            case = Case.get(Case.number == number)
            assert (case.status, case.outcome) == ("selesai", "Terdaftar PBI-JK")
            assert "resolved" in screen_text(app)

    asyncio.run(run())


def test_note_is_added_to_the_timeline(demo_app) -> None:
    number = first_case("ditangani")

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await open_case(pilot, number)
            await press(pilot, "c")
            await type_text(pilot, "Kunjungan rumah, ibu sehat")
            await press(pilot, "ctrl+s")
            note = Activity.select().order_by(Activity.id.desc()).get()
            assert (note.case.number, note.kind, timeline.render(note.data)) == (
                number,
                "catatan",
                "Kunjungan rumah, ibu sehat",
            )
            assert "Kunjungan rumah, ibu sehat" in screen_text(app)

    asyncio.run(run())


def test_followup_is_added_with_the_default_due_date(demo_app) -> None:
    number = first_case("ditangani")

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await open_case(pilot, number)
            await press(pilot, "f")
            await type_text(pilot, "Dinkes")
            await press(pilot, "enter", "tab")  # the choice keeps the focus; tab moves on
            await type_text(pilot, "Daftarkan PBI-JK")
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, CaseDetailScreen)
            row = FollowUp.select().order_by(FollowUp.id.desc()).get()
            assert (row.case.number, row.opd_code, row.action, row.status) == (
                number,
                "DINKES",
                "Daftarkan PBI-JK",
                "dikirim",
            )
            assert (row.due_on - row.created_at.date()).days == 14
            assert "Daftarkan PBI-JK" in screen_text(app)

    asyncio.run(run())


def test_bulk_assignment_spreads_marked_cases_by_load(demo_app) -> None:
    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await press(pilot, "2")
            table = app.screen.query_one(CaseTable)
            view = app.screen.query_one("#cases")
            view.show(CaseFilter(status=("baru",), unassigned=True))
            await settle(pilot)
            numbers = [table.row(i).number for i in range(3)]
            await press(pilot, "space", "space", "space")
            assert list(table.marked) == numbers
            await press(pilot, "a")
            assert isinstance(app.screen, BulkAssignDialog)
            await press(pilot, "ctrl+s")
            assert not isinstance(app.screen, BulkAssignDialog)
            rows = [Case.get(Case.number == n) for n in numbers]
            assert all(r.worker_id is not None and r.status == "ditugaskan" for r in rows)
            assert "3 cases assigned." in screen_text(app)
            assert table.marked == {}

    asyncio.run(run())


def test_a_viewer_is_refused_in_the_dialog(demo_app) -> None:
    admin = users.actor_for("tester")
    users.add_user(admin, "lihat", "viewer", full_name="Lihat Saja")
    number = first_case("ditangani")

    async def run() -> None:
        app = demo_app(username="lihat")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await open_case(pilot, number)
            await press(pilot, "c")
            await type_text(pilot, "x")
            await press(pilot, "ctrl+s")
            assert "This needs the operator role" in screen_text(app)
            assert [a for a in Activity.select() if timeline.render(a.data) == "x"] == []

    asyncio.run(run())


def test_changing_priority_saves_it(demo_app) -> None:
    number = first_case("ditangani")
    case = Case.get(Case.number == number)
    cases.set_priority(users.actor_for("tester"), number, "normal")

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await open_case(pilot, number)
            await press(pilot, "p", "up", "up", "enter")
            assert Case.get_by_id(case.id).priority == "darurat"

    asyncio.run(run())


def test_roster_adds_a_psm_and_shows_a_workers_cases(demo_app) -> None:
    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await press(pilot, "4", "n")
            await type_text(pilot, "Budi Santoso")
            await press(pilot, "tab")
            await type_text(pilot, "kenanga")
            await press(pilot, "enter", "ctrl+s")
            worker = Worker.get(Worker.name == "Budi Santoso")
            assert (worker.kind, worker.kelurahan_code, worker.active) == (
                "psm",
                "36.71.05.1005",
                True,
            )
            assert "Budi Santoso" in screen_text(app)  # the roster of Kec. Cipondoh

            number = first_case("baru", unassigned=True)
            assignment.assign_case(users.actor_for("tester"), number, worker_id=worker.id)
            view = app.screen.query_one("#workers")
            row = next(i for i, w in enumerate(view.rows) if w.id == worker.id)
            await press(pilot, "home", *["down"] * row, "enter")
            table = app.screen.query_one(CaseTable)
            assert table.filters.worker_id == worker.id
            assert table.row_count == 1 and table.current().number == number
            assert "PSM: Budi Santoso" in screen_text(app)

    asyncio.run(run())


def test_opening_a_case_is_audited_once_not_on_each_refresh(demo_app) -> None:
    from psm_tui.store.models import AuditLog

    number = first_case("ditangani")

    def views() -> int:
        return (
            AuditLog.select()
            .where(AuditLog.action == "case.view", AuditLog.case_number == number)
            .count()
        )

    async def run() -> None:
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_case(pilot, number)
            assert views() == 1
            screen.refresh_data()
            await settle(pilot)
            assert views() == 1

    asyncio.run(run())
