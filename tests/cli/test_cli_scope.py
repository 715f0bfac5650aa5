"""Read scope and masks by the command line: what a scoped operator and a viewer get."""

from __future__ import annotations

import json

import pytest

from psm_tui.core import users
from psm_tui.store.models import AuditLog
from tests.cli.test_cli_cases import db, ok, one_line_error, psm  # noqa: F401 (fixture)

NIK = "3671054512850003"  # a woman born 5 Dec 1985


def _setup(db: str) -> str:  # noqa: F811
    ok(db, "user add okar --role operator --kecamatan Karawaci")
    ok(db, "user add vera --role viewer")
    return ok(
        db,
        f"case new --name 'Ibu Rina' --kelurahan 'Poris Plawad' --category 8 --nik {NIK} "
        "--sex P --birth 1985-12-05",
    )


def test_scoped_operator_needs_emergency_access_and_supervisors_see_it(
    db: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    number = _setup(db)
    monkeypatch.setattr(users, "os_username", lambda: "okar")
    assert json.loads(ok(db, "case list --json")) == []
    assert json.loads(ok(db, "case list --kecamatan Cipondoh --json")) == []
    code, _out, err = psm(db, f"case show {number}")
    assert code == 4
    assert "outside your scope" in one_line_error(err)
    shown = json.loads(
        ok(db, ["case", "show", number, "--json", "--emergency", "klien datang, butuh riwayat"])
    )
    assert shown["number"] == number
    code, _out, err = psm(db, "audit --emergency")
    assert code == 4 and "supervisor" in one_line_error(err)
    monkeypatch.setattr(users, "os_username", lambda: "tester")
    grants = json.loads(ok(db, "audit --emergency --json"))
    assert [(g["user"], g["case"], g["reason"]) for g in grants] == [
        ("okar", number, "klien datang, butuh riwayat")
    ]


def test_viewer_json_has_age_not_birth_date_and_nik_search_is_audited(
    db: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    number = _setup(db)
    monkeypatch.setattr(users, "os_username", lambda: "vera")
    shown = ok(db, f"case show {number} --json")
    client = json.loads(shown)["client"]
    assert client["birth_date"] is None and isinstance(client["age"], int)
    assert client["nik"] == "************0003"
    assert "1985" not in shown and "3671" not in shown
    table = ok(db, f"case show {number}")
    assert "1985" not in table and "3671" not in table and "years" in table
    listed = json.loads(ok(db, f"case list --search {NIK} --json"))
    assert [c["number"] for c in listed] == [number]
    row = AuditLog.get(AuditLog.action == "search.nik")
    assert (row.username, row.detail) == ("vera", "************0003")
