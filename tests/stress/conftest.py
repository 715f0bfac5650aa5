"""The stress suite's scale: short by default, the full acceptance run with ``PSM_STRESS=1``.

``PSM_STRESS=1 uv run pytest -p no:xdist tests/stress`` runs 16 processes x 50 operations and 50
SIGKILLs. (An environment variable, not a ``--stress`` option: pytest only takes options from the
root conftest or a plugin.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from psm_tui.core import setup, users, workers
from psm_tui.store import database
from psm_tui.store import maintenance as backend_maintenance
from tests.raw_sql import RawSql

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Scale:
    processes: int
    operations: int
    kills: int


FULL = os.environ.get("PSM_STRESS", "") not in ("", "0")


@pytest.fixture(scope="session")
def scale() -> Scale:
    return Scale(16, 50, 50) if FULL else Scale(4, 15, 3)


@pytest.fixture
def stress_db(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An initialised database (a file, or a PostgreSQL database) with operators op0..op15 and
    three PSM in Kel. Poris Plawad; closed again so that only the worker processes hold it."""
    path = db_path
    monkeypatch.setattr(users, "os_username", lambda: "tester")
    database.open_database(str(path))
    setup.initialise("Test Admin")
    admin = users.actor_for("tester")
    for i in range(16):
        users.add_user(admin, f"op{i}", "operator")
    for name in ("Siti Aminah", "Dewi Lestari", "Rina Marlina"):
        workers.add_worker(admin, kind="psm", name=name, kelurahan="Poris Plawad")
    yield path
    database.close_database()


def spawn(mode: str, db_path: Path, user: str, *extra: str, **popen: object) -> subprocess.Popen:
    """A worker process, as a staff member's own ``psm`` process would be."""
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [
            sys.executable,
            "-m",
            "tests.stress.worker",
            mode,
            "--db",
            str(db_path),
            "--user",
            user,
            *extra,
        ],
        cwd=ROOT,
        text=True,
        **popen,
    )


def consistency_problems(path: Path) -> list[str]:
    """What a sound database never shows, read with a plain connection (PostgreSQL checks its
    pages and foreign keys itself; SQLite is asked to)."""
    raw = RawSql(path)
    try:
        problems: list[str] = []
        if not raw.postgresql:
            problems += backend_maintenance.integrity_problems(raw.connection)
            problems += [
                f"dangling {row}"
                for row in backend_maintenance.foreign_key_problems(raw.connection)
            ]
        half = raw.rows(
            'SELECT c.number FROM "case" c WHERE NOT EXISTS (SELECT 1 FROM activity a WHERE '
            "a.case_id = c.id AND a.kind = 'status') OR NOT EXISTS (SELECT 1 FROM audit_log l "
            "WHERE l.case_number = c.number AND l.action = 'case.create')"
        )
        problems += [f"half-written case {number}" for (number,) in half]
        for year, last in raw.rows("SELECT year, last FROM case_counter"):
            numbers = [
                n
                for (n,) in raw.rows(
                    'SELECT number FROM "case" WHERE number LIKE ? ORDER BY number', f"{year}-%"
                )
            ]
            if numbers != [f"{year}-{i:06d}" for i in range(1, last + 1)]:
                problems.append(f"case numbers of {year} do not run 1..{last}")
    finally:
        raw.close()
    return problems


def read_log(path: Path) -> list[str]:
    """The case numbers a ``loop`` worker reported committed."""
    return [line for line in path.read_text().splitlines() if len(line) == 11]
