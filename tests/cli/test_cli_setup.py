"""``psm init``, ``psm migrate`` and ``psm demo`` from the command line."""

from __future__ import annotations

import datetime as dt
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from psm_tui.cli import main
from psm_tui.config import default_database_path, demo_database_path, user_config_path
from psm_tui.core import clock
from psm_tui.store.models import (
    Activity,
    Assignment,
    AuditLog,
    Case,
    CaseCounter,
    Category,
    Client,
    FollowUp,
    Kecamatan,
    Kelurahan,
    Meta,
    Opd,
    StaffUser,
    Worker,
)


def psm(*args: str) -> tuple[int, str, str]:
    """Run ``psm --lang en ARGS`` in this process through the real entry point."""
    with CliRunner().isolation() as (out, err, _):
        try:
            main(["--lang", "en", *args])
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        sys.stdout.flush()  # what a process does at exit (print_json writes unflushed)
    return code, out.getvalue().decode(), err.getvalue().decode()


def one_line_error(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.strip()


def test_init_twice_loads_reference_data_once(tmp_path: Path) -> None:
    db = str(tmp_path / "psm.db")
    code, out, err = psm("--db", db, "init", "--full-name", "Rina Marlina")
    assert (code, err) == (0, "")
    assert "applied migration 0001_initial" in out
    assert "13 kecamatan, 104 kelurahan, 26 PPKS categories, 11 OPD" in out
    assert "tester is the first admin" in out
    code, out, err = psm("--db", db, "init")
    assert (code, err) == (0, "")
    assert "applied migration" not in out and "first admin" not in out
    assert "13 kecamatan, 104 kelurahan, 26 PPKS categories, 11 OPD" in out
    counts = [m.select().count() for m in (Kecamatan, Kelurahan, Category, Opd)]
    assert counts == [13, 104, 26, 11]
    assert Kelurahan.select(Kelurahan.name, Kelurahan.kecamatan).distinct().count() == 104
    users = [(u.username, u.role, u.full_name) for u in StaffUser.select()]
    assert users == [("tester", "admin", "Rina Marlina")]
    assert stat.S_IMODE((tmp_path / "psm.db").stat().st_mode) == 0o600


def test_migrate_status_and_schema_check(tmp_path: Path) -> None:
    db = str(tmp_path / "psm.db")
    code, _out, err = psm("--db", db, "case", "list")
    assert code != 0
    assert one_line_error(err) == "psm: The database is not set up yet; run: psm init"
    code, out, _err = psm("--db", db, "migrate", "--status")
    assert code == 0 and "0001_initial\tpending" in out
    assert psm("--db", db, "migrate")[0] == 0
    code, out, _err = psm("--db", db, "migrate", "--status")
    assert "0001_initial\tapplied" in out and "pending" not in out


def test_a_two_slash_sqlite_url_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = psm("--db", "sqlite://app.db", "init")
    assert code == 2 and out == ""
    assert one_line_error(err).startswith("psm: Invalid SQLite URL sqlite://app.db")
    assert list(tmp_path.iterdir()) == []


def test_a_real_process_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "psm_tui", "--lang", "en", "--db", "sqlite://x.db", "case", "list"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert one_line_error(done.stderr).startswith("psm: Invalid SQLite URL")


DEMO_TABLES = (Meta, Worker, Client, Case, CaseCounter, Assignment, FollowUp, Activity)


def dump() -> dict[str, list[tuple[object, ...]]]:
    """The demo's tables, row by row (staff without the moment ``psm init`` ran)."""
    tables = {
        m._meta.table_name: list(m.select().order_by(*m._meta.get_primary_keys()).tuples())
        for m in DEMO_TABLES
    }
    staff = StaffUser.select(
        StaffUser.username,
        StaffUser.full_name,
        StaffUser.role,
        StaffUser.kecamatan,
        StaffUser.active,
    ).order_by(StaffUser.username)
    tables["staff_user"] = list(staff.tuples())
    return tables


def demo_at(monkeypatch: pytest.MonkeyPatch, db: Path, moment: dt.datetime, seed: int) -> dict:
    monkeypatch.setattr(clock, "now", lambda: moment)
    code, out, err = psm(
        "--db", str(db), "demo", "--no-open", "--seed", str(seed), "--cases", "300"
    )
    assert (code, err) == (0, ""), err
    assert "987 PSM, 13 TKSK, 300 cases" in out
    return dump()


def test_same_seed_same_day_gives_the_same_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = demo_at(monkeypatch, tmp_path / "a.db", dt.datetime(2026, 6, 1, 9, 0, 0), seed=1)
    second = demo_at(monkeypatch, tmp_path / "b.db", dt.datetime(2026, 6, 1, 9, 0, 7), seed=1)
    assert len(first["case"]) == 300 and len(first["worker"]) == 1000
    for table, rows in first.items():
        assert rows == second[table], table
    third = demo_at(monkeypatch, tmp_path / "c.db", dt.datetime(2026, 6, 1, 9, 0, 0), seed=2)
    assert third["client"] != first["client"]


def test_demo_twice_keeps_the_data(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    assert psm("--db", db, "demo", "--no-open", "--cases", "50")[0] == 0
    code, out, _err = psm("--db", db, "demo", "--no-open", "--cases", "80", "--seed", "9")
    assert code == 0 and "already holds demo data" in out
    assert Case.select().count() == 50


def test_demo_refuses_a_database_with_real_cases(tmp_path: Path) -> None:
    db = str(tmp_path / "psm.db")
    assert psm("--db", db, "init")[0] == 0
    code, _out, err = psm(
        "--db",
        db,
        "case",
        "new",
        "--name",
        "Ibu Sari",
        "--kelurahan",
        "Poris Plawad",
        "--category",
        "8",
    )
    assert (code, err) == (0, "")
    audit_rows = AuditLog.select().count()
    code, out, err = psm("--db", db, "demo", "--no-open")
    assert code != 0
    assert "holds real cases" in one_line_error(err)
    assert "cases" not in out
    assert (Case.select().count(), Worker.select().count()) == (1, 0)
    assert StaffUser.select().count() == 1
    assert AuditLog.select().count() == audit_rows


def test_demo_without_db_uses_its_own_file_never_the_real_one() -> None:
    code, out, err = psm("demo", "--no-open", "--cases", "20")
    assert (code, err) == (0, ""), err
    assert "20 cases" in out
    assert demo_database_path().exists()
    assert not default_database_path().exists()


@pytest.mark.parametrize("layer", ["config_file", "environment"])
def test_demo_never_targets_the_configured_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layer: str
) -> None:
    """A database named by a config file (as /etc/psm-tui/config.toml names the office's) or by
    PSM_DATABASE is the real one: the demo goes to its own file, and --lang may follow it."""
    real = tmp_path / "real.db"
    if layer == "config_file":
        config = user_config_path()
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(f'database = "{real}"\n', encoding="utf-8")
    else:
        monkeypatch.setenv("PSM_DATABASE", str(real))
    with CliRunner().isolation() as (out, err, _):
        try:
            main(["demo", "--no-open", "--cases", "20", "--lang", "en"])
        except SystemExit as done:
            assert done.code in (0, None), err.getvalue().decode()
    assert "20 cases" in out.getvalue().decode()
    assert demo_database_path().exists()
    assert not real.exists()
