"""Coverage per kelurahan agrees with independent SQL counts; idle PSM and uncovered kelurahan."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from psm_tui.core import assignment, cases, clock, coverage, workers
from psm_tui.core.dto import Actor
from psm_tui.store.database import db
from psm_tui.store.models import Activity, Case, Worker

INDEPENDENT = """
SELECT k.code,
  (SELECT COUNT(*) FROM worker w
    WHERE w.kelurahan_code = k.code AND w.kind = 'psm' AND w.active),
  (SELECT COUNT(*) FROM "case" c
    WHERE c.kelurahan_code = k.code AND c.status IN ('baru', 'ditugaskan', 'ditangani')),
  (SELECT COUNT(*) FROM worker w
    WHERE w.kelurahan_code = k.code AND w.kind = 'psm' AND w.active
      AND NOT EXISTS (SELECT 1 FROM activity a WHERE a.worker_id = w.id
                      AND a.kind IN ('catatan', 'kunjungan', 'telepon') AND a.at >= ?))
FROM kelurahan k JOIN kecamatan d ON d.code = k.kecamatan_code
WHERE d.name LIKE ?
ORDER BY k.code
"""


def independent(kecamatan: str = "%") -> list[tuple[str, int, int, int]]:
    cutoff = (dt.date.today() - dt.timedelta(days=60)).isoformat() + " 00:00:00"
    query = INDEPENDENT.replace("?", db.obj.param)
    return [tuple(row) for row in db.execute_sql(query, (cutoff, kecamatan)).fetchall()]


def figures(rows: list[coverage.CoverageRow]) -> list[tuple[str, int, int, int]]:
    return [(r.kelurahan.code, r.active_psm, r.open_cases, r.idle_psm) for r in rows]


def test_coverage_equals_independent_sql_on_the_demo(demo_db: Path) -> None:
    rows = coverage.coverage()
    expected = independent()
    assert len(rows) == len(expected) == 104
    assert figures(rows) == expected
    assert sum(r.active_psm for r in rows) == 987
    assert (
        sum(r.open_cases for r in rows)
        == Case.select().where(Case.status.in_(("baru", "ditugaskan", "ditangani"))).count()
    )
    assert 0 < sum(r.idle_psm for r in rows) < 987  # the demo has both kinds
    for row in rows:
        assert row.cases_per_psm == pytest.approx(row.open_cases / row.active_psm)
    assert figures(coverage.coverage("Cipondoh")) == independent("Cipondoh")


def test_uncovered_kelurahan_on_the_demo(demo_db: Path) -> None:
    assert coverage.uncovered_kelurahan() == []
    Worker.update(active=False).where(Worker.kelurahan == "36.71.05.1008").execute()
    row = next(r for r in coverage.coverage() if r.kelurahan.code == "36.71.05.1008")
    assert (row.active_psm, row.idle_psm, row.cases_per_psm, row.uncovered) == (0, 0, None, True)
    assert row.open_cases == {r[0]: r[2] for r in independent()}["36.71.05.1008"] > 0
    assert [k.code for k in coverage.uncovered_kelurahan()] == ["36.71.05.1008"]
    assert [k.label for k in coverage.uncovered_kelurahan("Cipondoh")] == [
        "Kel. Poris Plawad, Kec. Cipondoh"
    ]
    assert coverage.uncovered_kelurahan("Karawaci") == []


def test_idle_means_no_fieldwork_in_sixty_days(
    admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [
        workers.add_worker(admin, kind="psm", name=f"Relawan {c}", kelurahan="Kenanga").id
        for c in "ABCD"
    ]
    number = cases.register_case(admin, name="Ibu Sari", kelurahan="Kenanga", category=8)
    assignment.assign_case(admin, number.case.number, worker_id=ids[0])
    case_id = Case.get(Case.number == number.case.number).id
    today = dt.date(2026, 3, 31)
    monkeypatch.setattr(clock, "today", lambda: today)
    Activity.delete().execute()
    cutoff = dt.datetime(2026, 1, 30)  # 60 days before 31 Mar 2026
    Activity.create(case=case_id, kind="kunjungan", data="x", at=cutoff, worker=ids[0])
    Activity.create(
        case=case_id, kind="telepon", data="x", at=cutoff - dt.timedelta(seconds=1), worker=ids[1]
    )
    Activity.create(case=case_id, kind="penugasan", data="x", at=cutoff, worker=ids[2])

    (row,) = [r for r in coverage.coverage("Cipondoh") if r.kelurahan.name == "Kenanga"]
    assert (row.active_psm, row.open_cases, row.idle_psm) == (4, 1, 3)
    assert row.cases_per_psm == 0.25
