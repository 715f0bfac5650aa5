"""Several ``psm`` processes appending to the audit log at once: every row lands, the ids run
without a gap and the hash chain verifies (SQLite's BEGIN IMMEDIATE, PostgreSQL's advisory
lock). Scale: see conftest (``PSM_STRESS=1`` for the full run)."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from psm_tui.core import audit_chain, cases, users
from psm_tui.store import database
from tests.raw_sql import RawSql
from tests.stress.conftest import Scale, spawn

pytestmark = pytest.mark.stress


def chain_problems(location: Path) -> list[str]:
    """The chain recomputed from a plain connection, independently of the code under test."""
    raw = RawSql(location)
    try:
        rows = raw.rows(
            "SELECT id, at, username, action, entity, entity_id, case_number, changes, detail,"
            " row_hash FROM audit_log ORDER BY id"
        )
    finally:
        raw.close()
    problems, previous = [], "0" * 64
    for expected_id, row in enumerate(rows, start=1):
        values = [row[0], str(row[1]), *row[2:9]]
        text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
        previous = hashlib.sha256((previous + text).encode()).hexdigest()
        if row[0] != expected_id or row[9] != previous:
            problems.append(f"row {row[0]} (expected id {expected_id})")
            previous = row[9]
    return problems


def test_processes_appending_at_once_keep_one_unbroken_chain(stress_db: Path, scale: Scale) -> None:
    admin = users.actor_for("tester")
    shared = [
        cases.register_case(
            admin, name=f"Klien {i}", kelurahan="Poris Plawad", category=8
        ).case.number
        for i in range(2)
    ]
    before = audit_chain.verify()
    assert before.ok and before.head is not None
    database.close_database()
    procs = [
        spawn(
            "append",
            stress_db,
            f"op{i}",
            "--ops",
            str(scale.operations * 2),
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
    written = 0
    for proc in procs:
        out, _err = proc.communicate(timeout=300)
        assert proc.returncode == 0
        written += json.loads(out)["written"]

    database.open_database(str(stress_db))
    report = audit_chain.verify()
    assert report.ok, report.broken
    assert report.head is not None and report.head.id == before.head.id + written
    assert report.rows == report.head.id
    assert chain_problems(stress_db) == []
    print(f"\n{scale.processes} processes appended {written} audit rows; chain unbroken")
