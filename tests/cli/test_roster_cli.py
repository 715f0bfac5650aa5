"""``psm worker profile|move|deactivate``, ``psm training``, ``psm ipsm``, ``psm coverage``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from psm_tui.cli import main
from psm_tui.core import assignment, cases, coverage, workers
from psm_tui.core.dto import Actor
from psm_tui.store.models import Assignment, AuditLog, Case, TrainingAttendance, Worker


class Run:
    def __init__(self, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.db_path, self.capsys = db_path, capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        try:
            main(["--db", str(self.db_path), "--lang", "en", *args])
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def psm(initialised: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    return Run(initialised, capsys)


@pytest.fixture
def team(admin: Actor) -> dict[str, int]:
    ids = {
        name: workers.add_worker(admin, kind="psm", name=name, kelurahan=kel).id
        for name, kel in (
            ("Budi Santoso", "Poris Plawad"),
            ("Ani Lestari", "Poris Plawad"),
            ("Citra Dewi", "Kenanga"),
        )
    }
    for client in ("Ibu Sari", "Pak Joko", "Mbah Darmi"):
        number = cases.register_case(
            admin, name=client, kelurahan="Poris Plawad", category=8
        ).case.number
        assignment.assign_case(admin, number, worker_id=ids["Budi Santoso"])
    return ids


def held(worker_id: int) -> int:
    return workers.open_caseload(worker_id)


def test_move_with_auto_handover(psm: Run, team: dict[str, int]) -> None:
    budi = team["Budi Santoso"]
    code, out, err = psm("worker", "move", str(budi), "--kelurahan", "Kenanga")
    assert (code, out) == (5, "")
    assert err.strip() == (
        "psm: Budi Santoso still holds 3 open cases; hand them over (auto or to colleagues)"
    )
    code, out, err = psm(
        "worker", "move", str(budi), "--kelurahan", "kenanga", "--handover", "auto", "--json"
    )
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["worker"]["kelurahan_code"] == "36.71.05.1005"
    assert [h["worker_id"] for h in document["handed_over"]] == [team["Ani Lestari"]] * 3
    assert held(budi) == 0 and held(team["Ani Lestari"]) == 3
    for item in document["handed_over"]:
        case = Case.get(Case.number == item["case"])
        assert Assignment.select().where(Assignment.case == case.id).count() == 2
        assert (
            AuditLog.select()
            .where(AuditLog.case_number == item["case"], AuditLog.action == "case.assign")
            .count()
            == 2
        )


def test_deactivate_keeps_the_refusal_and_hands_over_on_request(
    psm: Run, team: dict[str, int]
) -> None:
    budi = str(team["Budi Santoso"])
    code, _, err = psm("worker", "deactivate", budi, "--reason", "Pindah")
    assert code == 5 and "still holds 3 open cases" in err
    code, _, err = psm(
        "worker", "deactivate", budi, "--reason", "Pindah", "--handover", "auto", "--to", "2"
    )
    assert code != 0 and "not both" in err
    assert Worker.get_by_id(budi).active
    code, out, err = psm(
        "worker",
        "deactivate",
        budi,
        "--reason",
        "Pindah",
        "--to",
        f"{team['Ani Lestari']},{team['Citra Dewi']}",
    )
    assert (code, err) == (0, "")
    assert "Budi Santoso is now inactive" in out and "3 open cases handed over" in out
    assert held(team["Ani Lestari"]) + held(team["Citra Dewi"]) == 3
    assert not Worker.get_by_id(budi).active


def test_profile_json(psm: Run, team: dict[str, int]) -> None:
    code, out, _ = psm("worker", "profile", str(team["Budi Santoso"]), "--json")
    document = json.loads(out)
    assert code == 0
    assert (document["name"], document["open_cases"], document["past_cases"]) == (
        "Budi Santoso",
        3,
        0,
    )
    assert len(document["open_case_list"]) == 3
    assert document["incentive_months"] == 0 and document["last_activity"] is None
    code, out, _ = psm("worker", "profile", str(team["Budi Santoso"]))
    assert code == 0 and "Incentive months" in out and "Ibu Sari" in out
    assert psm("worker", "profile", "999")[0] == 3


def test_profile_json_lists_past_cases_with_iso_times(psm: Run, team: dict[str, int]) -> None:
    budi = str(team["Budi Santoso"])
    assert psm("worker", "move", budi, "--kelurahan", "Kenanga", "--handover", "auto")[0] == 0
    document = json.loads(psm("worker", "profile", budi, "--json")[1])
    assert document["past_cases"] == len(document["past_case_list"]) == 3
    for past in document["past_case_list"]:
        assert list(past) == ["number", "status", "assigned_at", "ended_at"]
        assert past["status"] == "ditugaskan"
        assigned, ended = (dt.datetime.fromisoformat(past[k]) for k in ("assigned_at", "ended_at"))
        assert "T" in past["ended_at"] and assigned <= ended


def test_training_commands(psm: Run, admin: Actor, team: dict[str, int]) -> None:
    ids = [
        str(workers.add_worker(admin, kind="psm", name=f"Relawan {c}{c}", kelurahan="Petir").id)
        for c in "ABCDEFGHIJ"
    ]
    code, out, err = psm(
        "training",
        "add",
        "--date",
        "2025-06-14",
        "--topic",
        "Asesmen [b]x",
        "--organiser",
        "Dinsos",
        "--hours",
        "6",
        "--workers",
        ",".join(ids),
    )
    assert code == 0 and err.strip() == "10 workers recorded"
    assert TrainingAttendance.select().where(TrainingAttendance.session == int(out)).count() == 10
    code, out, _ = psm("training", "list", "--json")
    assert [(t["topic"], t["attendees"]) for t in json.loads(out)] == [("Asesmen [b]x", 10)]
    code, out, _ = psm("training", "list")
    assert "Asesmen [b]x" in out  # user text is never markup
    code, out, _ = psm("training", "list", "--untrained", "--kecamatan", "Cipondoh", "--json")
    assert sorted(w["id"] for w in json.loads(out)) == sorted(team.values())
    code, _, err = psm(
        "training",
        "add",
        "--date",
        "2025-06-14",
        "--topic",
        "x",
        "--organiser",
        "y",
        "--hours",
        "2",
        "--workers",
        "1,zz",
    )
    assert code == 1 and err.strip() == "psm: zz is not a worker ID"
    code, out, _ = psm("training", "show", "1", "--json")
    assert len(json.loads(out)["workers"]) == 10


def test_ipsm_commands(psm: Run, team: dict[str, int]) -> None:
    ani, citra = str(team["Ani Lestari"]), str(team["Citra Dewi"])
    code, out, _ = psm(
        "ipsm",
        "set",
        ani,
        "--position",
        "ketua",
        "--level",
        "kecamatan",
        "--from",
        "2024-01-01",
        "--to",
        "2026-12-31",
    )
    assert code == 0 and out.strip().isdigit()
    code, _, err = psm(
        "ipsm", "set", citra, "--position", "Ketua", "--level", "kecamatan", "--from", "2026-06-01"
    )
    assert code == 5
    assert err.strip() == (
        "psm: chair of Kec. Cipondoh is held by Ani Lestari "
        "(1 Jan 2024 to 31 Dec 2026); the terms overlap"
    )
    code, _, _ = psm(
        "ipsm", "set", citra, "--position", "anggota", "--level", "city", "--from", "2024-01-01"
    )
    code, out, _ = psm("ipsm", "board", "--json")
    assert [(p["unit"], p["position"], p["worker"]) for p in json.loads(out)] == [
        ("Kota Tangerang", "anggota", "Citra Dewi"),
        ("Kec. Cipondoh", "ketua", "Ani Lestari"),
    ]
    code, out, _ = psm("ipsm", "end", "1", "--on", "2025-12-31")
    assert code == 0 and "until 31 Dec 2025" in out


def test_coverage_command(psm: Run, team: dict[str, int]) -> None:
    code, out, _ = psm("coverage", "--kecamatan", "Cipondoh", "--json")
    rows = {r["kelurahan"]["name"]: r for r in json.loads(out)}
    assert code == 0 and len(rows) == 10
    assert (rows["Poris Plawad"]["active_psm"], rows["Poris Plawad"]["open_cases"]) == (2, 3)
    assert rows["Poris Plawad"]["cases_per_psm"] == 1.5
    assert rows["Petir"]["uncovered"] and rows["Petir"]["cases_per_psm"] is None
    code, out, _ = psm("coverage", "--uncovered", "--json")
    assert len(json.loads(out)) == 104 - 2 == len(coverage.uncovered_kelurahan())
    code, out, _ = psm("coverage", "--kecamatan", "Cipondoh")
    assert "8 kelurahan without an active PSM" in out and "NO ACTIVE PSM" in out
