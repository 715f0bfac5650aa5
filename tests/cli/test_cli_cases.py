"""A whole case by the command line alone, and every kind of bad input refused cleanly."""

from __future__ import annotations

import datetime as dt
import io
import json
import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from psm_tui.cli import main
from psm_tui.cli.output import table
from psm_tui.core import users
from psm_tui.store.models import Activity, AuditLog, Case, Client, FollowUp, Worker

NIK = "3671055501800001"  # a woman born 15 Jan 1980


def psm(db: str, command: str | list[str]) -> tuple[int, str, str]:
    """Run ``psm --lang en --db DB COMMAND`` in this process through the real entry point.

    ``command`` is split like a shell would, or given as a list for text a shell cannot quote.
    """
    args = shlex.split(command) if isinstance(command, str) else command
    with CliRunner().isolation() as (out, err, _):
        try:
            main(["--lang", "en", "--db", db, *args])
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        sys.stdout.flush()  # what a process does at exit (print_json writes unflushed)
    return code, out.getvalue().decode(), err.getvalue().decode()


def ok(db: str, command: str | list[str]) -> str:
    code, out, err = psm(db, command)
    assert code == 0, err
    return out.strip()


def one_line_error(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.strip()


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "psm.db")
    ok(path, "init --full-name 'Test Admin'")
    return path


def new_case(db: str, extra: str = "") -> str:
    return ok(db, f"case new --name 'Ibu Sari' --kelurahan 'Poris Plawad' --category 8 {extra}")


def test_a_whole_case_by_cli(db: str) -> None:
    busy = ok(db, "worker add --name 'Ani Rahayu' --kelurahan 'Poris Plawad'")
    free = ok(db, "worker add --name 'Budi Santoso' --kelurahan 'Poris Plawad'")
    ok(db, "worker add --name 'Citra Dewi' --kelurahan 'Poris Plawad Utara'")  # 0 cases, nearby
    ok(db, "worker add --kind tksk --name 'Tono Sutono' --kecamatan Cipondoh")
    ok(db, f"case assign {new_case(db)} --worker {busy}")

    number = new_case(
        db,
        f"--nik {NIK} --sex P --birth 1980-01-15 --address 'Jl. Melati 3' --rt 2 --rw 5 "
        "--phone 0812-1111-2222 --priority tinggi --source laporan_warga "
        "--description 'Tinggal sendiri'",
    )
    assert number.endswith("-000002")
    assert ok(db, f"case assign {number} --auto") == (
        f"{number} -> Budi Santoso (#{free}): fewest open cases among the PSM of "
        "Kel. Poris Plawad (0)"
    )
    ok(db, f"case note {number} 'Kunjungan rumah pertama' --kind kunjungan")
    followup = ok(
        db, f"followup new {number} --opd DINKES --action 'Daftarkan PBI-JK' --due 2099-01-31"
    )
    assert ok(db, f"followup update {followup} --status diterima") == f"{followup}: accepted"
    done = ok(db, f"followup update {followup} --status selesai --response 'Terdaftar PBI-JK'")
    assert done == f"{followup}: done"
    assert ok(db, f"case status {number} ditangani") == f"{number}: in progress"
    resolved = ok(db, f"case status {number} selesai --outcome 'Klien terdaftar PBI-JK'")
    assert resolved == f"{number}: resolved"

    # Every step is in the audit log (read before showing: a view may be logged too).
    steps = [
        r.action
        for r in AuditLog.select().where(AuditLog.case_number == number).order_by(AuditLog.id)
    ]
    assert steps == [
        "case.create", "case.assign", "case.note", "followup.create", "followup.update",
        "followup.update", "case.status", "case.status",
    ]  # fmt: skip
    assert {r.username for r in AuditLog.select().where(AuditLog.case_number == number)} == {
        "tester"
    }

    shown = json.loads(ok(db, f"case show {number} --json"))
    assert (shown["number"], shown["status"], shown["priority"], shown["version"]) == (
        number, "selesai", "tinggi", 4
    )  # fmt: skip
    assert shown["outcome"] == "Klien terdaftar PBI-JK" and shown["closed_at"]
    assert shown["category"] == {"code": 8, "name": "Lanjut Usia Terlantar"}
    assert shown["kelurahan"] == {"code": "36.71.05.1008", "name": "Poris Plawad"}
    assert shown["kecamatan"] == {"code": "36.71.05", "name": "Cipondoh"}
    assert shown["worker"] == {
        "id": int(free), "name": "Budi Santoso", "kind": "psm", "kelurahan_code": "36.71.05.1008"
    }  # fmt: skip
    assert shown["client"]["nik"] == NIK  # an admin sees it in full
    assert (shown["client"]["rt"], shown["client"]["phone"]) == ("002", "081211112222")
    assert [(n["kind"], n["text"], n["author"]) for n in shown["notes"]] == [
        ("kunjungan", "Kunjungan rumah pertama", "tester")
    ]
    assert list(shown["notes"][0]) == ["kind", "text", "author", "at"]
    assert "T" in shown["notes"][0]["at"] and dt.datetime.fromisoformat(shown["notes"][0]["at"])
    [fu] = shown["followups"]
    assert (fu["id"], fu["opd"], fu["status"], fu["response"], fu["due"], fu["overdue"]) == (
        int(followup), "DINKES", "selesai", "Terdaftar PBI-JK", "2099-01-31", False
    )  # fmt: skip
    assert [a["worker"] for a in shown["assignments"]] == ["Budi Santoso"]
    assert [t["kind"] for t in shown["timeline"]] == [
        "status", "penugasan", "kunjungan", "rujukan", "rujukan", "rujukan", "status", "status"
    ]  # fmt: skip

    listed = json.loads(ok(db, "case list --json --status selesai"))
    assert [c["number"] for c in listed] == [number]
    assert "notes" not in listed[0] and listed[0]["followups"][0]["status"] == "selesai"
    text = ok(db, f"case show {number}")
    for fact in (f"{number} (v4)", "resolved", "Kel. Poris Plawad, Kec. Cipondoh", "Budi Santoso",
                 "Klien terdaftar PBI-JK", "Dinkes", "home visit"):  # fmt: skip
        assert fact in text
    worker = json.loads(ok(db, f"worker show {free} --json"))
    assert (worker["open_cases"], worker["kelurahan_code"]) == (0, "36.71.05.1008")


def counts() -> tuple[int, int, int, int, int]:
    models = (Case, Client, FollowUp, Activity, AuditLog)
    return tuple(m.select().count() for m in models)  # type: ignore[return-value]


@pytest.fixture
def assigned(db: str) -> str:
    ok(db, "worker add --name 'Budi Santoso' --kelurahan 'Poris Plawad'")
    number = new_case(db)
    ok(db, f"case assign {number} --auto")
    return number


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("case new --name X.Y --kelurahan 'Poris Plawad' --category 8 --nik 367105550180001",
         "NIK must be 16 digits, got 15"),
        ("case new --name 'Ibu Sari' --kelurahan 'Poris Plawat' --category 8",
         "Unknown kelurahan Poris Plawat. Did you mean: Kel. Poris Plawad, Kec. Cipondoh;"),
        ("case new --name 'Ibu Sari' --kelurahan Kreo --category 99",
         "Unknown PPKS category 99"),
        ("case status {new} selesai --outcome beres",
         "Case {new} cannot go from baru to selesai (allowed: ditutup)"),
        ("case status {assigned} ditangani --expect-version 1",
         "Case {assigned} was changed by Test Admin at"),
        ("case assign {assigned} --auto --expect-version 1",
         "Case {assigned} was changed by Test Admin at"),
        ("case status {assigned} ditangani --expect-version 3",
         "Case {assigned} was changed by Test Admin at"),
        ("case show 2026-999999", "Case 2026-999999 not found"),
        ("followup new {assigned} --opd KEMENSOS --action x", "Unknown OPD KEMENSOS"),
        ("followup update 77 --status selesai", "Follow-up 77 not found"),
        ("worker deactivate 1 --reason pindah",
         "Budi Santoso still holds 1 open cases; hand them over (auto or to colleagues)"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_writes_nothing(
    db: str, assigned: str, command: str, message: str
) -> None:
    number = new_case(db)
    before = counts()
    versions = [c.version for c in Case.select().order_by(Case.id)]
    code, out, err = psm(db, command.format(new=number, assigned=assigned))
    assert code != 0 and out == ""
    assert one_line_error(err).startswith("psm: " + message.format(new=number, assigned=assigned))
    assert counts() == before
    assert [c.version for c in Case.select().order_by(Case.id)] == versions


def test_a_name_with_an_escape_sequence_is_refused(db: str) -> None:
    command = ["case", "new", "--name", "\x1b[31mred", "--kelurahan", "Kreo", "--category", "8"]
    code, out, err = psm(db, command)
    assert code != 0 and out == ""
    assert one_line_error(err) == "psm: Name: the control character \\x1b is not allowed"
    assert Case.select().count() == 0


def test_an_unregistered_os_user_is_refused(
    db: str, assigned: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = counts()
    monkeypatch.setattr(users, "os_username", lambda: "stranger")
    for command in ("case list", "case new --name 'Ibu Sari' --kelurahan Kreo --category 8",
                    f"case note {assigned} x"):  # fmt: skip
        code, out, err = psm(db, command)
        assert code == 4 and out == ""
        assert one_line_error(err) == (
            "psm: User stranger is not registered. Ask an admin to run: "
            "psm user add stranger --role operator"
        )
    assert counts()[:4] == before[:4]
    new_rows = AuditLog.select().where(AuditLog.id > before[4])
    assert {r.action for r in new_rows} <= {"refused"}  # at most the refusal itself


def test_a_refused_permission_is_one_line_and_audited(
    db: str, assigned: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(db, "user add vera --role viewer")
    before = counts()
    monkeypatch.setattr(users, "os_username", lambda: "vera")
    code, out, err = psm(db, f"case status {assigned} ditangani")
    assert code == 4 and out == ""
    assert one_line_error(err) == "psm: This needs the operator role (you are viewer)"
    assert counts()[:4] == before[:4]
    rows = AuditLog.select().where(AuditLog.id > before[4])
    assert [(r.username, r.action, r.entity_id) for r in rows] == [
        ("vera", "refused", "case.status")
    ]
    assert Case.get(Case.number == assigned).status == "ditugaskan"


def test_markup_and_escapes_are_stored_as_typed_and_shown_literally(db: str) -> None:
    """Markup is stored as typed; escapes are refused now, but older rows may hold them."""
    number = ok(db, ["case", "new", "--name", "[bold]x[/]", "--kelurahan", "Poris Plawad",
                     "--category", "8", "--description", "[/] [@click=app.quit]q[/]",
                     "--address", "[link=http://x]Jl.[/link]"])  # fmt: skip
    ok(db, ["case", "note", number, "[/bold] catatan"])
    description = "\x1b[31mred [/] [@click=app.quit]q[/]"
    Case.update(description=description).execute()
    Activity.update(data="[/bold] catatan \x1b]0;title\x07").where(
        Activity.kind == "catatan"
    ).execute()
    client = Client.get()
    assert (client.name, client.address) == ("[bold]x[/]", "[link=http://x]Jl.[/link]")
    assert Case.get().description == description
    code, out, err = psm(db, f"case show {number}")
    assert (code, err) == (0, "")
    assert "\x1b" not in out and "\x07" not in out
    for literal in ("[bold]x[/]", "\\x1b[31mred [/] [@click=app.quit]q[/]",
                    "[link=http://x]Jl.[/link]", "[/bold] catatan \\x1b]0;title\\x07"):  # fmt: skip
        assert literal in out
    assert "[bold]x[/]" in ok(db, "case list")
    shown = json.loads(ok(db, f"case show {number} --json"))
    assert (shown["client"]["name"], shown["description"]) == ("[bold]x[/]", description)


def test_names_of_workers_with_markup_are_listed_literally(db: str) -> None:
    ok(db, "worker add --name '[red]Siti[/red] Aminah' --kelurahan Kreo")
    assert "[red]Siti[/red] Aminah" in ok(db, "worker list")
    assert Worker.get().name == "[red]Siti[/red] Aminah"


def test_a_list_in_a_pipe_keeps_each_row_on_one_line(db: str) -> None:
    ok(db, "worker add --name 'Muhammad Rizky Pratama Kusumaningrat' --kelurahan Panunggangan")
    name = "Raden Ajeng Siti Nurhaliza Kusumawardhani Purbasari"
    number = ok(db, f"case new --name '{name}' --kelurahan 'Panunggangan Timur' --category 24")
    ok(db, f"case assign {number} --auto")
    [row] = [line for line in ok(db, "case list").splitlines() if number in line]
    for value in (name, "Panunggangan Timur", "assigned", "Muhammad Rizky Pratama Kusumaningrat"):
        assert value in row


def test_a_table_at_80_columns_wraps_but_hides_nothing() -> None:
    out = table("Number", "Date", "Client", "Kelurahan", "Status", "PSM")
    out.add_row("2026-002277", "27 Nov 2026", "Raden Ajeng Siti Nurhaliza Kusumawardhani",
                "Panunggangan Timur", "in progress", "Muhammad Rizky Pratama")  # fmt: skip
    screen = Console(file=io.StringIO(), width=80)
    screen.print(out)
    header, *lines = screen.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert max(len(line) for line in lines) <= 80
    starts = [header.index(name) for name in ("Date", "Client", "Kelurahan", "Status", "PSM")]
    bounds = zip([0, *starts], [*starts, 80], strict=True)
    cells = ["".join("".join(line[a:b].split()) for line in lines) for a, b in bounds]
    assert cells == [
        "2026-002277", "27Nov2026", "RadenAjengSitiNurhalizaKusumawardhani", "PanungganganTimur",
        "inprogress", "MuhammadRizkyPratama",
    ]  # fmt: skip


def test_worker_json_masks_the_nik_below_supervisor(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    nik = "3671055501800001"
    worker_id = ok(db, f"worker add --name 'Siti Aminah' --kelurahan 'Poris Plawad' --nik {nik}")
    ok(db, "user add op --role operator")
    assert json.loads(ok(db, f"worker show {worker_id} --json"))["nik"] == nik  # admin
    monkeypatch.setattr(users, "os_username", lambda: "op")
    shown = json.loads(ok(db, f"worker show {worker_id} --json"))["nik"]
    listed = [w["nik"] for w in json.loads(ok(db, "worker list --json"))]
    assert shown == "************0001"
    assert listed == ["************0001"]
