"""The reporting module: scopes, periods, OPD answer times, workload flags, the incentive list."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from pathlib import Path

import pytest

from psm_tui.core import assignment, cases, clock, followups, reports, workers
from psm_tui.core import workload as reports_workload
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ValidationError
from psm_tui.core.incentive import incentive_list, rate_for
from psm_tui.core.labels import FOLLOWUP_OPEN
from psm_tui.core.reports import ReportScope
from psm_tui.presentation import incentive as reports_incentive
from psm_tui.presentation import monthly as reports_monthly
from psm_tui.store import reports as backend_reports
from psm_tui.store.backend import dialect_of
from psm_tui.store.database import db
from psm_tui.store.models import Activity, Case, FollowUp

CIPONDOH, KARAWACI = "36.71.05", "36.71.07"
RATES = (("2017-01", 350_000), ("2020-01", 500_000))


def at(monkeypatch: pytest.MonkeyPatch, moment: dt.datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment)


def new_case(actor: Actor, kelurahan: str, when: dt.datetime, category: int = 8) -> str:
    return cases.register_case(
        actor, name="Ibu Sari", kelurahan=kelurahan, category=category, reported_at=when
    ).case.number


def psm(actor: Actor, name: str, kelurahan: str, joined: str = "2018-01-01") -> int:
    return workers.add_worker(
        actor, kind="psm", name=name, kelurahan=kelurahan, joined_on=joined
    ).id


def test_scope_period_is_inclusive_and_kecamatan_limits_every_table(
    admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, dt.datetime(2026, 5, 20, 9, 0))
    new_case(admin, "Poris Plawad", dt.datetime(2026, 3, 31, 23, 59))  # Cipondoh, in period
    new_case(admin, "Poris Plawad", dt.datetime(2026, 4, 1, 0, 0))  # after the period
    new_case(admin, "Pabuaran", dt.datetime(2026, 3, 1, 0, 0), category=24)  # Karawaci
    scope = reports.make_scope("2026-03-01", "2026-03-31")
    kecamatan = {k.code: k.total for k in reports.by_kecamatan(scope)}
    assert (kecamatan[CIPONDOH], kecamatan[KARAWACI], sum(kecamatan.values())) == (1, 1, 2)
    assert reports.overview(scope).by_status["baru"] == 2
    one = reports.make_scope("2026-03-01", "2026-03-31", "cipondoh")
    assert one.kecamatan == CIPONDOH
    assert [k.code for k in reports.by_kecamatan(one)] == [CIPONDOH]
    assert len(reports.by_kelurahan(one)) == 10  # every kelurahan of Cipondoh, even empty ones
    categories = {c.code: c.total for c in reports.by_category(one)}
    assert (categories[8], categories[24]) == (1, 0)
    months = reports.monthly_intake(reports.make_scope("2026-02-15", "2026-04-30"))
    assert [(m.key, m.count) for m in months] == [("2026-02", 0), ("2026-03", 2), ("2026-04", 1)]
    with pytest.raises(ValidationError, match="starts after it ends"):
        reports.make_scope("2026-04-01", "2026-03-01")


def test_default_trend_is_the_last_twelve_months(
    admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, dt.datetime(2026, 5, 20, 9, 0))
    new_case(admin, "Poris Plawad", dt.datetime(2025, 5, 31, 12, 0))  # 12 months + 1 ago
    new_case(admin, "Poris Plawad", dt.datetime(2025, 6, 1, 12, 0))
    months = reports.monthly_intake(ReportScope())
    assert [m.key for m in months][0::11] == ["2025-06", "2026-05"]
    assert len(months) == 12 and months[0].count == 1 and sum(m.count for m in months) == 1


def test_finished_in_period_counts_closing_dates(
    admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, dt.datetime(2026, 1, 10, 9, 0))
    worker = psm(admin, "Siti Aminah", "Poris Plawad")
    number = new_case(admin, "Poris Plawad", dt.datetime(2026, 1, 10, 9, 0))
    assignment.assign_case(admin, number, worker_id=worker)
    cases.change_status(admin, number, "ditangani")
    at(monkeypatch, dt.datetime(2026, 2, 3, 9, 0))
    cases.change_status(admin, number, "selesai", outcome="Bantuan disalurkan")
    january, february = (
        reports.month_scope(dt.date(2026, 1, 1)),
        reports.month_scope(dt.date(2026, 2, 1)),
    )
    assert sum(k.finished_in_period for k in reports.by_kecamatan(january)) == 0
    assert sum(k.total for k in reports.by_kecamatan(january)) == 1
    assert sum(k.finished_in_period for k in reports.by_kecamatan(february)) == 1
    assert sum(k.total for k in reports.by_kecamatan(february)) == 0


def test_opd_figures_and_median_days_to_answer(
    admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, dt.datetime(2026, 3, 2, 9, 0))
    psm(admin, "Siti Aminah", "Poris Plawad")
    number = new_case(admin, "Poris Plawad", dt.datetime(2026, 3, 2, 9, 0))
    assignment.assign_case(admin, number, auto=True)
    ids = [
        followups.create_followup(
            admin, number, opd="DINKES", action=f"Minta {i}", due="2026-03-09"
        ).id
        for i in range(4)
    ]
    for fid, days, status in (
        (ids[0], 1, "diterima"),
        (ids[1], 3, "selesai"),
        (ids[2], 10, "ditolak"),
    ):
        at(monkeypatch, dt.datetime(2026, 3, 2 + days, 15, 0))
        followups.update_followup(admin, fid, status, response="alasan")
    at(monkeypatch, dt.datetime(2026, 3, 20, 9, 0))  # ids[0] and ids[3] are open and past due
    dinkes = {o.code: o for o in reports.by_opd(ReportScope())}["DINKES"]
    assert (dinkes.total, dinkes.open, dinkes.overdue, dinkes.rejected) == (4, 2, 2, 1)
    assert (dinkes.responded, dinkes.median_days) == (3, 3.0)
    assert reports.opd_summary(ReportScope())[1].median_days == 3.0
    assert {o.code: o for o in reports.by_opd(ReportScope())}["BPBD"].median_days is None
    later = reports.make_scope("2026-03-03", None)
    assert {o.code: o.total for o in reports.by_opd(later)}["DINKES"] == 0


def expected_opd(scope: ReportScope, today: dt.date) -> dict[str, tuple[object, ...]]:
    """The OPD figures recomputed in Python from every follow-up row, for comparison."""
    start, end = scope.bounds()
    codes = {k.code for k in reports.by_kelurahan(scope)}
    counts: dict[str, Counter[str]] = {}
    waits: dict[str, list[int]] = {}
    rows = (
        FollowUp.select(
            FollowUp.opd,
            FollowUp.status,
            FollowUp.due_on,
            FollowUp.created_at,
            FollowUp.responded_at,
            Case.kelurahan,
        )
        .join(Case, on=FollowUp.case == Case.id)
        .tuples()
    )
    for opd, status, due_on, created, responded, kelurahan in rows:
        if (start and created < start) or (end and created >= end) or kelurahan not in codes:
            continue
        for key in (opd, ""):
            c = counts.setdefault(key, Counter())
            c["total"] += 1
            c["open"] += status in FOLLOWUP_OPEN
            c["overdue"] += status in FOLLOWUP_OPEN and due_on is not None and due_on < today
            c["rejected"] += status == "ditolak"
            if responded is not None:
                waits.setdefault(key, []).append((responded.date() - created.date()).days)
    return {
        key: (
            c["total"],
            c["open"],
            c["overdue"],
            c["rejected"],
            len(waits.get(key, [])),
            statistics.median(waits[key]) if key in waits else None,
        )
        for key, c in counts.items()
    }


def test_opd_figures_equal_a_row_by_row_count_in_every_scope(demo_db: Path) -> None:
    today = clock.today()
    year_ago = today - dt.timedelta(days=365)
    for scope in (
        ReportScope(),
        ReportScope(year_ago, today),
        ReportScope(kecamatan=CIPONDOH),
        ReportScope(year_ago, today, KARAWACI),
    ):
        expected = expected_opd(scope, today)
        rows, every = reports.opd_summary(scope, today)
        found = {
            r.code: (r.total, r.open, r.overdue, r.rejected, r.responded, r.median_days)
            for r in [*rows, every]
            if r.total
        }
        assert found == expected
        assert expected[""][4] > 0 and len(expected) > 2  # answered follow-ups of several OPD


@pytest.mark.sqlite_only
def test_opd_figures_are_read_off_their_index_without_sorting(initialised: Path) -> None:
    """The query must group by the very expression the index holds (see backend_reports)."""
    period = [
        FollowUp.created_at >= dt.datetime(2026, 1, 1),
        FollowUp.created_at < dt.datetime(2027, 1, 1),
    ]
    query = reports.opd_query(dt.date(2026, 11, 28))
    for scoped in (query, query.where(*period)):
        sql, params = scoped.sql()
        plan = " / ".join(row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
        assert f"COVERING INDEX {backend_reports.ANSWER_DAYS_INDEX}" in plan
        assert "TEMP B-TREE" not in plan


def test_postgresql_can_read_the_opd_figures_off_their_index(initialised: Path) -> None:
    """The expression of PostgreSQL's index (migration 0019) is the one its dialect spells, so
    the groups are read off it in order (a tiny table is scanned whole: sequential scans are
    ruled out to see the plan a million follow-ups get)."""
    if dialect_of(db).name != "postgresql":
        pytest.skip("PostgreSQL's index")
    query = reports.opd_query(dt.date(2026, 11, 28))
    sql, params = query.sql()
    with db.atomic():
        db.execute_sql("SET LOCAL enable_seqscan = off")
        plan = " / ".join(row[0] for row in db.execute_sql("EXPLAIN " + sql, params))
    assert plan.startswith("GroupAggregate")  # the groups come in the index's order: no hashing
    assert f"Index Only Scan using {backend_reports.ANSWER_DAYS_INDEX}" in plan


def test_workload_flags_kelurahan_without_psm_and_over_threshold(
    admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, dt.datetime(2026, 3, 2, 9, 0))
    busy = psm(admin, "Siti Aminah", "Poris Plawad")
    psm(admin, "Budi Santoso", "Petir")
    for _ in range(3):
        assignment.assign_case(admin, new_case(admin, "Poris Plawad", clock.now()), worker_id=busy)
    new_case(admin, "Poris Plawad", clock.now())  # new, unassigned: open in its kelurahan
    load = reports_workload.workload(CIPONDOH, threshold=3)
    assert (load.active_psm, load.open_cases, load.psm_without_cases) == (2, 3, 1)
    assert [(b.label, b.workers) for b in load.distribution][:4] == [
        ("0", 1),
        ("1", 0),
        ("2", 0),
        ("3-5", 1),
    ]
    assert [(w.id, w.open_cases) for w in load.most_loaded] == [(busy, 3)]
    assert [k.name for k in load.kelurahan_overloaded] == ["Poris Plawad"]  # 4 open per PSM > 3
    assert load.kelurahan_overloaded[0].per_psm == 4.0
    assert len(load.kelurahan_without_psm) == 8  # Cipondoh has 10 kelurahan, two have a PSM
    assert reports_workload.workload(CIPONDOH, threshold=4).kelurahan_overloaded == []


def test_rate_history_and_configured_amount() -> None:
    assert rate_for(dt.date(2017, 1, 1), RATES, 500_000) == 350_000
    assert rate_for(dt.date(2019, 12, 1), RATES, 500_000) == 350_000
    assert rate_for(dt.date(2020, 1, 1), RATES, 500_000) == 500_000
    assert rate_for(dt.date(2026, 5, 1), RATES, 600_000) == 600_000  # incentive_amount setting
    assert rate_for(dt.date(2019, 5, 1), [["2017-01", 350000], ["2020-01", 1]], 500_000) == 350_000
    with pytest.raises(ValidationError, match="No PSM incentive rate is configured for 2016-12"):
        rate_for(dt.date(2016, 12, 1), RATES, 500_000)
    with pytest.raises(ValidationError, match="not YYYY-MM"):
        rate_for(dt.date(2020, 1, 1), [("2020", 1)], 1)


@pytest.fixture
def roster(admin: Actor, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Four PSM of Poris Plawad and one of Pabuaran; cases held by three of them."""
    at(monkeypatch, dt.datetime(2019, 1, 5, 9, 0))
    ids = {
        name: psm(admin, name, kel)
        for name, kel in (
            ("Ani Rahayu", "Poris Plawad"),
            ("Budi Santoso", "Poris Plawad"),
            ("Citra Lestari", "Poris Plawad"),
            ("Dedi Kurnia", "Pabuaran"),
        )
    }
    ids["Eko Prasetyo"] = psm(admin, "Eko Prasetyo", "Poris Plawad", joined="2021-07-01")
    ids["Fajar Hidayat"] = psm(admin, "Fajar Hidayat", "Poris Plawad")
    workers.deactivate_worker(admin, ids["Fajar Hidayat"], "pindah")  # left in Jan 2019
    held = {}
    for name in ("Ani Rahayu", "Budi Santoso", "Dedi Kurnia"):
        kel = "Pabuaran" if name == "Dedi Kurnia" else "Poris Plawad"
        held[name] = new_case(admin, kel, clock.now())
        assignment.assign_case(admin, held[name], worker_id=ids[name])
    for month in (dt.datetime(2019, 6, 10, 9, 0), dt.datetime(2021, 6, 10, 9, 0)):
        at(monkeypatch, month)
        cases.add_note(admin, held["Ani Rahayu"], "Kunjungan rumah", "kunjungan")
        cases.add_note(admin, held["Ani Rahayu"], "Telepon keluarga", "telepon")
        cases.add_note(admin, held["Dedi Kurnia"], "Catatan", "catatan")
    at(monkeypatch, dt.datetime(2019, 6, 30, 23, 59))
    cases.add_note(admin, held["Budi Santoso"], "Kunjungan", "kunjungan")  # June 2019 only
    # A note naming Citra on a case she never held does not make her active.
    Activity.create(
        case=cases.case_row(held["Ani Rahayu"]).id,
        kind="kunjungan",
        data="x",
        at=dt.datetime(2021, 6, 11, 9, 0),
        worker=ids["Citra Lestari"],
    )
    # Neither does a status change, which is not a note, visit or call.
    Activity.create(
        case=cases.case_row(held["Budi Santoso"]).id,
        kind="status",
        data="x",
        at=dt.datetime(2021, 6, 11, 9, 0),
        worker=ids["Budi Santoso"],
    )
    return ids


def test_incentive_totals_are_eligible_psm_times_the_rate_of_the_month(
    roster: dict[str, int], admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, dt.datetime(2026, 1, 5, 9, 0))
    for month, rate, eligible, listed in (
        (dt.date(2019, 6, 1), 350_000, {"Ani Rahayu", "Budi Santoso", "Dedi Kurnia"}, 4),
        (dt.date(2021, 6, 1), 500_000, {"Ani Rahayu", "Dedi Kurnia"}, 4),
    ):
        data = incentive_list(admin, month, rate=rate_for(month, RATES, 500_000), rule="activity")
        assert data.rate == rate
        assert {r.name for r in data.rows if r.eligible} == eligible
        assert len(data.rows) == listed  # Eko joined later; Fajar left before
        assert data.city.amount == len(eligible) * rate
        assert (data.city.psm, data.city.eligible) == (listed, len(eligible))
        by_kel = {t.name: t for t in data.kelurahan}
        pabuaran = by_kel["Pabuaran"]
        assert (pabuaran.psm, pabuaran.eligible, pabuaran.amount) == (1, 1, rate)
        assert sum(t.amount for t in data.kecamatan) == data.city.amount
    june_2021 = incentive_list(admin, dt.date(2021, 6, 1), rate=500_000, rule="activity")
    ani = next(r for r in june_2021.rows if r.name == "Ani Rahayu")
    assert (ani.activities, ani.amount) == (2, 500_000)
    august = incentive_list(admin, dt.date(2021, 8, 1), rate=500_000, rule="activity")
    assert "Eko Prasetyo" in {r.name for r in august.rows} and august.city.amount == 0
    only = incentive_list(
        admin, dt.date(2021, 6, 1), rate=500_000, rule="activity", kecamatan=KARAWACI
    )
    assert [r.name for r in only.rows] == ["Dedi Kurnia"]


def test_incentive_nik_follows_the_role(roster: dict[str, int], admin: Actor) -> None:
    workers.edit_worker(admin, roster["Ani Rahayu"], nik="3671055501800001")
    supervisor_view = incentive_list(admin, dt.date(2021, 6, 1), rate=1)
    anonymous_view = incentive_list(None, dt.date(2021, 6, 1), rate=1)
    assert "3671055501800001" in {r.nik for r in supervisor_view.rows}
    assert "************0001" in {r.nik for r in anonymous_view.rows}


def test_incentive_table_subtotals(roster: dict[str, int], admin: Actor) -> None:
    data = incentive_list(admin, dt.date(2019, 6, 1), rate=350_000, rule="activity")
    nominatif, per_kelurahan, per_kecamatan = reports_incentive.incentive_tables(data)
    kinds = nominatif.column("row_type")
    assert kinds == [
        "psm",
        "psm",
        "psm",
        "kelurahan",
        "kecamatan",
        "psm",
        "kelurahan",
        "kecamatan",
        "kota",
    ]
    amounts = nominatif.column("amount")
    assert (
        amounts[-1]
        == 3 * 350_000
        == sum(a for a, k in zip(amounts, kinds, strict=True) if k == "psm")
    )
    assert per_kelurahan.rows[-1].values[-1] == per_kecamatan.rows[-1].values[-1] == 1_050_000


def test_monthly_report_tables_agree_with_each_other(demo_db: Path) -> None:
    month = clock.today().replace(day=1)
    month = reports.add_months(month, -1)
    tables = {t.key: t for t in reports_monthly.monthly_report(month, threshold=3)}
    assert list(tables) == [
        "summary",
        "kecamatan",
        "kelurahan",
        "category",
        "opd",
        "workload",
        "distribution",
        "flagged_kelurahan",
        "months",
    ]
    start = dt.datetime.combine(month, dt.time())
    end = dt.datetime.combine(reports.add_months(month, 1), dt.time())
    reported = Case.select().where(Case.reported_at >= start, Case.reported_at < end).count()
    summary = dict(
        zip(tables["summary"].column("indicator"), tables["summary"].column("value"), strict=True)
    )
    assert summary["Cases reported"] == reported > 0
    for key in ("kecamatan", "kelurahan", "category"):
        table = tables[key]
        assert table.rows[-1].total and table.column("total")[-1] == reported
        assert sum(table.column("total")[:-1]) == reported
    assert tables["months"].rows[-1].values == (month, reported)
    sent = FollowUp.select().where(FollowUp.created_at >= start, FollowUp.created_at < end).count()
    assert tables["opd"].column("sent")[-1] == sent
    assert tables["workload"].column("active_psm")[-1] == 987
