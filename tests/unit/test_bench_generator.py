"""The benchmark generator builds a consistent database on the real schema (no timings here:
speed is measured by ``python -m bench run``)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from bench.generate import generate
from psm_tui.core import audit_chain, setup
from psm_tui.store import database


def _fetch(path: Path, sql: str, *params: object) -> list[tuple]:  # type: ignore[type-arg]
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_small_database_is_consistent(tmp_path: Path) -> None:
    path = generate(tmp_path / "bench.db", 500, seed=3, progress=False)
    assert _fetch(path, 'SELECT COUNT(*) FROM "case"') == [(500,)]
    clients = _fetch(path, "SELECT COUNT(*) FROM client")[0][0]
    assert 400 < clients <= 500  # some clients come back with a second case
    assert _fetch(path, "SELECT COUNT(*) FROM worker WHERE kind = 'psm'") == [(987,)]
    assert _fetch(path, "SELECT COUNT(*) FROM worker WHERE kind = 'tksk'") == [(13,)]
    assert _fetch(path, "PRAGMA foreign_key_check") == []
    assert _fetch(path, "PRAGMA integrity_check") == [("ok",)]
    assert _fetch(path, 'SELECT COUNT(DISTINCT number) FROM "case"') == [(500,)]
    assert _fetch(path, "SELECT COUNT(*) FROM client WHERE nik IS NOT NULL") == _fetch(
        path, "SELECT COUNT(DISTINCT nik) FROM client"
    )
    # The per-year counters continue where the generated numbers stop.
    counters = dict(_fetch(path, "SELECT year, last FROM case_counter"))
    last = dict(
        _fetch(
            path,
            "SELECT CAST(substr(number, 1, 4) AS INTEGER),"
            ' MAX(CAST(substr(number, 6) AS INTEGER)) FROM "case" GROUP BY 1',
        )
    )
    assert counters == last
    # A case past triage has its worker and a current assignment to that worker.
    assert _fetch(
        path,
        """SELECT COUNT(*) FROM "case" c WHERE c.status != 'baru' AND NOT EXISTS
        (SELECT 1 FROM assignment a WHERE a.case_id = c.id AND a.worker_id = c.worker_id
         AND a.ended_at IS NULL)""",
    ) == [(0,)]
    assert _fetch(
        path,
        """SELECT COUNT(*) FROM "case" WHERE (status = 'baru') !=
        (worker_id IS NULL)""",
    ) == [(0,)]
    assert _fetch(
        path,
        """SELECT COUNT(*) FROM "case" WHERE (status IN ('selesai', 'ditutup'))
        != (closed_at IS NOT NULL AND outcome IS NOT NULL)""",
    ) == [(0,)]
    assert _fetch(
        path,
        """SELECT COUNT(*) FROM "case" c JOIN client cl ON cl.id = c.client_id
        WHERE cl.kelurahan_code != c.kelurahan_code""",
    ) == [(0,)]
    # The search index was built and agrees with its content.
    assert _fetch(path, "SELECT COUNT(*) FROM case_search") == [(500,)]
    _fetch(path, "INSERT INTO case_search(case_search, rank) VALUES ('integrity-check', 1)")
    # The schema is current: the app opens it without asking for a migration.
    database.open_database(str(path))
    setup.check_schema()
    # Its audit rows (the set-up's and the generator's own) form an unbroken hash chain.
    report = audit_chain.verify()
    assert report.ok and report.head is not None
    assert _fetch(path, "SELECT action FROM audit_log WHERE id = ?", report.head.id) == [
        ("bench.generate",)
    ]


def test_same_seed_same_rows(tmp_path: Path) -> None:
    def digest(path: Path) -> str:
        rows = _fetch(
            path,
            "SELECT number, client_id, status, worker_id, reported_at, description"
            ' FROM "case" ORDER BY id',
        )
        rows += _fetch(path, "SELECT name, nik, kk FROM client ORDER BY id")
        return hashlib.sha256(repr(rows).encode()).hexdigest()

    first = generate(tmp_path / "a.db", 200, seed=7, progress=False)
    second = generate(tmp_path / "b.db", 200, seed=7, progress=False)
    other = generate(tmp_path / "c.db", 200, seed=8, progress=False)
    assert digest(first) == digest(second) != digest(other)
