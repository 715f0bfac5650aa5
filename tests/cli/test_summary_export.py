"""``psm summary`` and ``psm export`` through the real entry point.

Every number of ``psm summary --format json`` on the demo database is recomputed here with raw
SQL (sqlite3 or psycopg: tests/raw_sql.py), written independently of the reporting module.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console

from psm_tui.cli import main
from psm_tui.cli import reports as cli_reports
from tests.raw_sql import RawSql

OPEN = ("baru", "ditugaskan", "ditangani")
HELD = ("ditugaskan", "ditangani")


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def psm(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """``psm --db <demo copy> --lang en ARGS`` in this process."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            main(["--db", str(demo_db), "--lang", "en", *args])
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def sql(demo_db: Path) -> Iterator[RawSql]:
    raw = RawSql(demo_db)
    yield raw
    raw.close()


def q(con: RawSql, query: str, *params: object) -> list[tuple]:  # type: ignore[type-arg]
    return con.rows(query, *params)


def marks(values: tuple[str, ...]) -> str:
    return ",".join(f"'{v}'" for v in values)


def summary_json(psm: Run, *args: str) -> dict:  # type: ignore[type-arg]
    result = psm("summary", "--format", "json", *args)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_every_summary_number_equals_independent_sql(psm: Run, sql: RawSql) -> None:
    doc = summary_json(psm, "--threshold", "1")
    status = dict(q(sql, 'SELECT status, COUNT(*) FROM "case" GROUP BY status'))
    assert doc["status"] == {
        **{s: status.get(s, 0) for s in ("baru", "ditugaskan", "ditangani", "selesai", "ditutup")},
        "open": sum(status.get(s, 0) for s in OPEN),
        "total": sum(status.values()),
    }
    assert (
        doc["finished_in_period"]
        == q(
            sql,
            "SELECT COUNT(*) FROM \"case\" WHERE status IN ('selesai','ditutup') "
            "AND closed_at IS NOT NULL",
        )[0][0]
    )

    by_kec: dict[str, Counter[str]] = {}
    for kec, state, n in q(
        sql,
        'SELECT k.kecamatan_code, c.status, COUNT(*) FROM "case" c '
        "JOIN kelurahan k ON k.code = c.kelurahan_code GROUP BY 1, 2",
    ):
        by_kec.setdefault(kec, Counter())[state] = n
    psm_per_kec = dict(
        q(
            sql,
            "SELECT kecamatan_code, COUNT(*) FROM worker WHERE kind='psm' AND active GROUP BY 1",
        )
    )
    finished_per_kec = dict(
        q(
            sql,
            'SELECT k.kecamatan_code, COUNT(*) FROM "case" c JOIN kelurahan k '
            "ON k.code = c.kelurahan_code WHERE c.status IN ('selesai','ditutup') "
            "AND c.closed_at IS NOT NULL GROUP BY 1",
        )
    )
    names = dict(q(sql, "SELECT code, name FROM kecamatan"))
    assert len(doc["kecamatan"]) == 13
    for row in doc["kecamatan"]:
        counts = by_kec.get(row["code"], Counter())
        assert row["name"] == names[row["code"]]
        for state in ("baru", "ditugaskan", "ditangani", "selesai", "ditutup"):
            assert row[state] == counts[state]
        assert row["open"] == sum(counts[s] for s in OPEN)
        assert row["total"] == sum(counts.values())
        assert row["finished_in_period"] == finished_per_kec.get(row["code"], 0)
        assert row["active_psm"] == psm_per_kec.get(row["code"], 0)

    categories = q(
        sql,
        f"SELECT category_code, COUNT(*), COUNT(CASE WHEN status IN ({marks(OPEN)}) THEN 1 END) "
        'FROM "case" '
        "GROUP BY category_code ORDER BY COUNT(*) DESC, category_code LIMIT 10",
    )
    assert [(c["code"], c["total"], c["open"]) for c in doc["categories"]] == categories

    today = dt.date.today().isoformat()
    assert doc["today"] == today
    opd = {
        code: (sent, open_, late, rejected)
        for code, sent, open_, late, rejected in q(
            sql,
            "SELECT o.code, COUNT(f.id), "
            "COUNT(CASE WHEN f.status IN ('dikirim','diterima') THEN 1 END), "
            "COUNT(CASE WHEN f.status IN ('dikirim','diterima') AND f.due_on < ? THEN 1 END), "
            "COUNT(CASE WHEN f.status = 'ditolak' THEN 1 END) "
            "FROM opd o LEFT JOIN follow_up f ON f.opd_code = o.code GROUP BY o.code",
            today,
        )
    }
    waits: dict[str, list[float]] = {}
    for code, days in q(
        sql,
        f"SELECT opd_code, {sql.days('created_at', 'responded_at')} "
        "FROM follow_up WHERE responded_at IS NOT NULL",
    ):
        waits.setdefault(code, []).append(days)
    assert len(doc["opd"]) == len(opd)
    for row in doc["opd"]:
        assert (row["sent"], row["open"], row["overdue"], row["rejected"]) == opd[row["code"]]
        assert row["responded"] == len(waits.get(row["code"], []))
        expected = statistics.median(waits[row["code"]]) if row["code"] in waits else None
        assert row["median_days"] == expected

    loads = dict(
        q(
            sql,
            'SELECT w.id, (SELECT COUNT(*) FROM "case" c WHERE c.worker_id = w.id '
            f"AND c.status IN ({marks(HELD)})) FROM worker w WHERE w.kind='psm' AND w.active",
        )
    )
    load = doc["workload"]
    assert load["active_psm"] == len(loads) == 987
    assert load["open_cases"] == sum(loads.values())
    assert load["psm_without_cases"] == sum(1 for n in loads.values() if n == 0)
    for bucket in load["distribution"]:
        high = bucket["high"] if bucket["high"] is not None else 10**9
        assert bucket["psm"] == sum(1 for n in loads.values() if bucket["low"] <= n <= high)
    assert sum(b["psm"] for b in load["distribution"]) == 987
    top = sorted(loads.values(), reverse=True)[:10]
    assert [w["open_cases"] for w in load["most_loaded"]] == top
    assert all(loads[w["id"]] == w["open_cases"] for w in load["most_loaded"])

    per_kel = q(
        sql,
        "SELECT k.code, (SELECT COUNT(*) FROM worker w WHERE w.kelurahan_code = k.code "
        "AND w.kind = 'psm' AND w.active), (SELECT COUNT(*) FROM \"case\" c "
        f"WHERE c.kelurahan_code = k.code AND c.status IN ({marks(OPEN)})) FROM kelurahan k",
    )
    assert {k["code"] for k in load["kelurahan_without_psm"]} == {
        code for code, workers, _ in per_kel if workers == 0
    }
    overloaded = {code: (w, n) for code, w, n in per_kel if w and n / w > 1}
    assert overloaded, "the demo has kelurahan above one open case per PSM"
    assert {
        k["code"]: (k["active_psm"], k["open_cases"]) for k in load["kelurahan_overloaded"]
    } == (overloaded)

    month = sql.month("reported_at")
    months = dict(q(sql, f'SELECT {month}, COUNT(*) FROM "case" GROUP BY {month}'))
    this_month = dt.date.today().replace(day=1)
    expected_months = []
    for back in range(11, -1, -1):
        index = this_month.year * 12 + this_month.month - 1 - back
        key = f"{index // 12:04d}-{index % 12 + 1:02d}"
        expected_months.append({"month": key, "cases": months.get(key, 0)})
    assert doc["months"] == expected_months


def test_period_and_kecamatan_scope_match_sql(psm: Run, sql: RawSql) -> None:
    doc = summary_json(psm, "--from", "2026-01-01", "--to", "2026-06-30", "--kecamatan", "Pinang")
    where = (
        "c.reported_at >= '2026-01-01' AND c.reported_at < '2026-07-01' "
        "AND k.kecamatan_code = '36.71.11'"
    )
    status = dict(
        q(
            sql,
            f'SELECT c.status, COUNT(*) FROM "case" c JOIN kelurahan k '
            f"ON k.code = c.kelurahan_code WHERE {where} GROUP BY 1",
        )
    )
    assert doc["scope"] == {"from": "2026-01-01", "to": "2026-06-30", "kecamatan": "36.71.11"}
    assert doc["status"]["total"] == sum(status.values()) > 0
    assert [k["code"] for k in doc["kecamatan"]] == ["36.71.11"]
    assert [m["month"] for m in doc["months"]] == [f"2026-{m:02d}" for m in range(1, 7)]
    assert sum(m["cases"] for m in doc["months"]) == sum(status.values())
    sent = q(
        sql,
        'SELECT COUNT(*) FROM follow_up f JOIN "case" c ON c.id = f.case_id JOIN kelurahan k '
        "ON k.code = c.kelurahan_code WHERE f.created_at >= '2026-01-01' "
        "AND f.created_at < '2026-07-01' AND k.kecamatan_code = '36.71.11'",
    )[0][0]
    assert sum(o["sent"] for o in doc["opd"]) == sent
    psm_pinang = q(
        sql,
        "SELECT COUNT(*) FROM worker WHERE kind='psm' AND active AND kecamatan_code='36.71.11'",
    )[0][0]
    assert doc["workload"]["active_psm"] == psm_pinang


@pytest.mark.parametrize("by", ["status", "kecamatan", "kelurahan", "category", "opd", "month"])
def test_csv_carries_the_json_numbers(psm: Run, by: str) -> None:
    doc = summary_json(psm, "--by", by)
    result = psm("summary", "--by", by, "--format", "csv")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    if by == "status":
        assert {r["key"]: int(r["cases"]) for r in rows} == doc["status"]
        return
    key, code = {
        "kecamatan": ("kecamatan", "code"),
        "kelurahan": ("kelurahan", "code"),
        "category": ("categories", "code"),
        "opd": ("opd", "code"),
        "month": ("months", "month"),
    }[by]
    by_key = {r["key"]: r for r in rows}
    for item in doc[key]:
        row = by_key[str(item[code])]
        for field, value in item.items():
            if field in row and isinstance(value, int) and field != "code":
                assert int(row[field]) == value, (field, item)
    assert len([r for r in rows if r["key"] != "total"]) == len(doc[key])


def test_table_fits_80_columns_without_colour(psm: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    terminal = partial(Console, highlight=False, soft_wrap=False, width=80, force_terminal=True)
    monkeypatch.setattr(cli_reports, "console", terminal)  # an 80-column terminal
    result = psm("summary")
    assert result.code == 0, result.err
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.out)
    assert not re.search(r"\x1b\[(3\d|4\d|38;|48;)", result.out)  # no colours, only bold
    assert max(len(line) for line in plain.splitlines()) <= 80
    for title in (
        "Cases by status",
        "Cases by kecamatan",
        "Top PPKS categories",
        "Follow-ups by OPD",
        "Open cases per PSM",
        "Most loaded PSM",
        "Kelurahan needing PSM",
        "Cases reported per month",
    ):
        assert title in plain
    doc = summary_json(psm)
    total = f"{doc['status']['total']:,}"
    assert re.search(rf"^total\s+{total}\s*$", plain, re.M)
    assert "█" in plain  # the monthly bar chart


def test_export_commands(psm: Run, tmp_path: Path) -> None:
    out = tmp_path / "kasus.xlsx"
    result = psm("export", "cases", "--status", "baru", "-o", str(out))
    assert result.code == 0, result.err
    sheet = openpyxl.load_workbook(out).active
    assert sheet.max_row - 1 == summary_json(psm)["status"]["baru"]
    assert re.fullmatch(r"\d+ rows written to .*kasus.xlsx\n", result.err)

    piped = psm("export", "workers", "--kecamatan", "Benda", "--plain", "-o", "-")
    assert piped.code == 0, piped.err
    rows = list(csv.DictReader(io.StringIO(piped.out)))
    assert rows and {r["kecamatan"] for r in rows} == {"Benda"}
    assert all(len(r["nik"]) == 16 and r["nik"].isdigit() for r in rows)  # tester is admin

    wrong = psm("export", "cases", "--month", "2026-01", "-o", str(tmp_path / "x.csv"))
    assert wrong.code == 2 and "--month does not apply to 'export cases'" in wrong.err
    bad = psm("export", "report", "--month", "2026-13", "-o", str(tmp_path / "r.xlsx"))
    assert bad.code == 1 and bad.err == "psm: Month 2026-13 is not in the form YYYY-MM\n"
    early = psm("export", "incentive", "--month", "2016-05", "-o", str(tmp_path / "i.csv"))
    assert early.code == 1 and "No PSM incentive rate is configured for 2016-05" in early.err
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "i.csv").exists()

    report = psm(
        "export",
        "report",
        "--month",
        "2026-10",
        "--kecamatan",
        "Benda",
        "-o",
        str(tmp_path / "laporan.xlsx"),
    )
    assert report.code == 0, report.err
    book = openpyxl.load_workbook(tmp_path / "laporan.xlsx")
    kecamatan = list(book["Cases by kecamatan"].iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in kecamatan] == ["Benda", "Total Kec."]
