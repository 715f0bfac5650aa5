"""Many ``psm`` processes on one database: no lost update, no duplicate number, no 'database is
locked' reaching a user, every audit row present; and writers killed mid-transaction leave the
database consistent. Scale: see conftest (``PSM_STRESS=1`` for the full run)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from psm_tui.core import audit_chain, cases, users
from psm_tui.ops import maintenance
from psm_tui.store import database
from psm_tui.store.models import Activity, AuditLog, Case, CaseCounter, FollowUp
from tests.conftest import PG
from tests.stress.conftest import Scale, consistency_problems, read_log, spawn

pytestmark = pytest.mark.stress


def test_many_processes_on_the_same_cases(stress_db: Path, scale: Scale, tmp_path: Path) -> None:
    admin = users.actor_for("tester")
    shared = [
        cases.register_case(
            admin, name=f"Klien {i}", kelurahan="Poris Plawad", category=8
        ).case.number
        for i in range(3)
    ]
    base_versions = {c.number: c.version for c in Case.select()}
    database.close_database()
    procs = [
        spawn(
            "mixed",
            stress_db,
            f"op{i}",
            "--ops",
            str(scale.operations),
            "--seed",
            str(i),
            "--cases",
            ",".join(shared),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        for i in range(scale.processes)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    backup = tmp_path / "during.db"
    if PG is None:  # SQLite's online backup (PostgreSQL's is pg_dump)
        maintenance.backup_database(admin, backup)  # online, while they all write
    reports = []
    for proc in procs:
        out, _err = proc.communicate(timeout=300)
        assert proc.returncode == 0
        reports.append(json.loads(out))

    outcomes: Counter[str] = sum((Counter(r["outcomes"]) for r in reports), Counter())
    assert [e for r in reports for e in r["errors"]] == []
    assert (outcomes["locked"], outcomes["busy"], outcomes["operational"]) == (0, 0, 0), outcomes
    done = sum(
        outcomes[k] for k in ("register", "assign", "note", "followup", "update", "priority")
    )
    assert done > scale.processes * scale.operations // 2, outcomes

    registered = [n for r in reports for n in r["registered"]]
    assert len(registered) == len(set(registered)), "duplicate case number"
    assert {c.number for c in Case.select()} == set(shared) | set(registered)
    year = int(shared[0][:4])
    assert CaseCounter.get_by_id(year).last == Case.select().count()

    bumps = sum((Counter(r["versioned"]) for r in reports), Counter())
    notes = sum((Counter(r["notes"]) for r in reports), Counter())
    for number in shared:
        case = Case.get(Case.number == number)
        assert case.version == base_versions[number] + bumps[number], f"lost update on {number}"
        written = Activity.select().where(Activity.case == case.id, Activity.kind == "catatan")
        assert written.count() == notes[number], f"lost note on {number}"
    for number in registered:
        assert Case.get(Case.number == number).version == 1
    assert FollowUp.select().count() == sum(len(r["followups"]) for r in reports)

    for i, report in enumerate(reports):
        rows = Counter(
            a
            for (a,) in AuditLog.select(AuditLog.action)
            .where(AuditLog.username == f"op{i}")
            .tuples()
        )
        assert rows == Counter(report["audit"]), f"audit rows of op{i}"

    assert consistency_problems(stress_db) == []
    assert audit_chain.verify().ok  # one chain, whatever order the processes committed in
    if PG is None:
        assert consistency_problems(backup) == []
    print(  # the figures for the closing note (shown with -s)
        f"\n{scale.processes} processes x {scale.operations} operations: {dict(outcomes)}; "
        f"{Case.select().count()} cases, {AuditLog.select().count()} audit rows"
    )
    if PG is not None:
        return
    restored = tmp_path / "restored" / "psm.db"
    database.open_database(str(restored))
    maintenance.restore_database(None, backup)
    report = maintenance.check_database()
    assert report.ok, report
    assert 3 <= Case.select().count() <= 3 + len(registered)


def test_writers_killed_mid_transaction_leave_the_database_consistent(
    stress_db: Path, scale: Scale, tmp_path: Path
) -> None:
    """SIGKILL at random points of a stream of writes, and inside an open transaction."""
    database.close_database()
    rng = random.Random(7)
    log = tmp_path / "committed.log"
    log.touch()
    for kill in range(scale.kills):
        if kill % 5 == 0:
            proc = spawn("hold", stress_db, "op1", stdout=subprocess.PIPE)
            assert proc.stdout is not None and proc.stdout.readline() == "inside\n"
        else:
            proc = spawn("loop", stress_db, "op0", "--log", str(log), stdout=subprocess.PIPE)
            assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
            time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        problems = consistency_problems(stress_db)
        assert problems == [], f"after kill {kill + 1}: {problems}"
    database.open_database(str(stress_db))
    committed = read_log(log)
    numbers = {c.number for c in Case.select()}
    assert set(committed) <= numbers, "a committed case was lost"
    assert Case.select().where(Case.description == "").count() == 0  # no 'hold' case survived
    assert len(numbers) >= len(committed)
    print(
        f"\n{scale.kills} SIGKILLs: {len(committed)} cases committed and all present, "
        f"integrity and foreign keys ok after every kill"
    )
