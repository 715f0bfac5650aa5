"""An import written in batches stays all-or-nothing for everyone else (issue 19, acceptance 2).

``psm import cases`` runs in a subprocess with 10 rows per batch (``PSM_IMPORT_BATCH_ROWS``) and
the test hooks of core/imports/runs.py: ``PSM_TEST_IMPORT_KILL_AFTER_BATCH=N`` SIGKILLs it once
batch N is committed; ``PSM_TEST_IMPORT_PAUSE_AFTER_BATCH=N`` holds it after batch N until the
file ``PSM_TEST_IMPORT_PAUSE_FILE`` appears. This process is "another session": it reads through
the same core functions the TUI and the CLI use. Both backends (PSM_TEST_DATABASE_URL).
"""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bench.import_files import case_rows, write_csv
from psm_tui.core import clients, dashboard, reports, users, workload
from psm_tui.core.case_queries import CaseFilter, case_row, count_cases, list_cases
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ConflictError, NotFoundError
from psm_tui.core.imports import runs
from psm_tui.ops.health import imports_item
from psm_tui.store.models import (
    Activity,
    Case,
    Client,
    ImportPendingCase,
    ImportRecord,
    ImportRun,
)
from tests.files import import_path

ROWS = 60  # six batches of ten
WAIT = 120  # seconds a subprocess may take at most (a hang fails the test, never a timing)


@pytest.fixture
def office(demo_db: Path | str, tmp_path: Path) -> tuple[Actor, str, Path]:
    """The demo database, this process's real login as an admin (the subprocess's actor), and a
    file of ``ROWS`` new cases."""
    admin = users.actor_for("tester")
    login = pwd.getpwuid(os.geteuid()).pw_name
    if login != "tester":
        users.add_user(admin, login, "admin", full_name="Importer")
    return admin, str(demo_db), write_csv(tmp_path / "kasus.csv", ROWS)


def psm(database: str, *args: str, **env: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "PSM_IMPORT_BATCH_ROWS": "10", **env}
    return subprocess.Popen(
        [sys.executable, "-m", "psm_tui", "--db", database, *args],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stored() -> dict[str, int]:
    """Every row, hidden or not, as the database holds them."""
    return {m.__name__: m.select().count() for m in (Case, Client, Activity, ImportRecord)}


def seen_by(actor: Actor, file_nik: str, file_name: str) -> dict[str, Any]:
    """What another user sees: counts, lists, a search, the dashboard, reports, a client
    lookup by NIK."""
    return {
        "count": count_cases(CaseFilter(), actor),
        "open": count_cases(CaseFilter(status=("baru", "ditangani")), actor),
        "newest": [c.number for c in list_cases(actor, CaseFilter(), limit=20)],
        "search": [c.number for c in list_cases(actor, CaseFilter(search=file_name), limit=None)],
        "dashboard": dashboard.figures(actor),
        "report": reports.by_kelurahan(reports.ReportScope()),
        "load": workload.open_by_kelurahan(),
        "client": clients.search_clients(actor, file_nik),
    }


def first_row_with_nik() -> tuple[str, str]:
    for row in case_rows(ROWS):
        if row[1]:
            return str(row[1]), str(row[0])
    raise AssertionError("the file has no NIK")


def wait_for_batches(count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + WAIT
    while ImportRun.select().where(ImportRun.written >= count).count() == 0:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the import never reached its pause"
        time.sleep(0.05)


def test_killed_between_batches_shows_nothing_and_recovers_to_before(
    office: tuple[Actor, str, Path],
) -> None:
    admin, database, file = office
    nik, name = first_row_with_nik()
    before_rows, before_seen = stored(), seen_by(admin, nik, name)
    process = psm(database, "import", "cases", str(file), PSM_TEST_IMPORT_KILL_AFTER_BATCH="3")
    process.communicate(timeout=WAIT)
    assert process.returncode == -9
    # Three batches are in the database, and nobody sees them.
    assert stored()["Case"] == before_rows["Case"] + 30
    assert ImportPendingCase.select().count() == 30
    assert seen_by(admin, nik, name) == before_seen
    assert not imports_item().ok  # psm check reports the dead import
    [dead] = runs.unfinished()
    assert (dead.alive, dead.written) == (False, 30)
    hidden = Case.select(Case.number).join(ImportPendingCase, on=ImportPendingCase.id == Case.id)
    with pytest.raises(NotFoundError):
        case_row(hidden.first().number)

    recovered = psm(database, "import", "recover", "--json")
    out, err = recovered.communicate(timeout=WAIT)
    assert recovered.returncode == 0, err
    assert [r["written"] for r in json.loads(out)["recovered"]] == [30]
    assert stored() == before_rows
    assert ImportRun.get_by_id(dead.id).state == "abandoned"
    assert imports_item().ok

    # The same file then imports whole.
    result = import_path(admin, "cases", file)
    assert result.imported == ROWS
    assert count_cases(CaseFilter(), admin) == before_seen["count"] + ROWS


def test_paused_import_is_invisible_and_a_second_import_is_refused(
    office: tuple[Actor, str, Path],
) -> None:
    admin, database, file = office
    nik, name = first_row_with_nik()
    flag = file.with_name("go")
    before_seen = seen_by(admin, nik, name)
    process = psm(
        database,
        "import",
        "cases",
        str(file),
        PSM_TEST_IMPORT_PAUSE_AFTER_BATCH="2",
        PSM_TEST_IMPORT_PAUSE_FILE=str(flag),
    )
    try:
        wait_for_batches(20, process)
        assert ImportPendingCase.select().count() == 20
        assert seen_by(admin, nik, name) == before_seen
        [running] = runs.unfinished()
        assert running.alive
        assert imports_item().ok
        # Neither a second import nor a recovery touches a running import.
        with pytest.raises(ConflictError, match="Another import is running"):
            import_path(admin, "cases", file)
        assert runs.recover(admin) == []
        assert ImportPendingCase.select().count() == 20
    finally:
        flag.touch()
        _out, err = process.communicate(timeout=WAIT)
    assert process.returncode == 0, err
    after = seen_by(admin, nik, name)
    assert after["count"] == before_seen["count"] + ROWS
    assert after["client"] and after["client"][0].name == name
    assert ImportPendingCase.select().count() == 0
    assert ImportRun.get_by_id(running.id).state == "done"


def test_a_failure_mid_import_deletes_what_was_written(
    office: tuple[Actor, str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, _database, file = office
    before = stored()
    monkeypatch.setenv("PSM_IMPORT_BATCH_ROWS", "10")
    calls = []

    def fail_on_third(number: int) -> None:
        calls.append(number)
        if number == 3:
            raise RuntimeError("disk full")

    monkeypatch.setattr(runs, "_test_hooks", fail_on_third)
    with pytest.raises(RuntimeError, match="disk full"):
        import_path(admin, "cases", file)
    assert calls == [1, 2, 3]
    assert stored() == before
    assert [r.state for r in ImportRun.select()] == ["abandoned"]
