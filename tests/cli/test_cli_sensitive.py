"""Sensitive cases by the command line: a user not named sees "kasus terbatas" rows without
client fields; supervisors mark cases and name users (audited)."""

from __future__ import annotations

import json

import pytest

from psm_tui.core import users
from psm_tui.store.models import AuditLog
from tests.cli.test_cli_cases import db, ok, one_line_error, psm  # noqa: F401 (fixture)

NIK = "3671054512850003"


def _violence_case(db: str) -> str:  # noqa: F811
    ok(db, "user add opi --role operator --kecamatan Cipondoh")
    return ok(
        db,
        f"case new --name 'Ibu Rina' --kelurahan 'Poris Plawad' --category 19 --nik {NIK} "
        "--description 'dipukul suami'",
    )


def test_a_user_not_named_lists_and_finds_it_restricted_without_client_fields(
    db: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    number = _violence_case(db)
    monkeypatch.setattr(users, "os_username", lambda: "opi")
    listed = ok(db, "case list --json")
    [row] = json.loads(listed)
    assert (row["number"], row["restricted"], row["client"], row["category"]) == (
        number,
        True,
        None,
        None,
    )
    assert "Rina" not in listed and "0003" not in listed
    assert json.loads(ok(db, "case list --search Rina --json")) == []
    assert json.loads(ok(db, f"case list --search {NIK} --json")) == []
    [found] = json.loads(ok(db, f"case list --search {number} --json"))
    assert found["restricted"] and found["client"] is None
    # Indonesian: the row says kasus terbatas.
    assert "kasus terbatas" in ok(db, "--lang id case list")
    code, _out, err = psm(db, f"case show {number}")
    assert code == 4 and "akses darurat" in one_line_error(err)
    shown = json.loads(
        ok(db, ["case", "show", number, "--json", "--emergency", "klien datang ke kantor"])
    )
    assert shown["client"]["name"] == "Ibu Rina"


def test_supervisors_name_users_and_mark_cases(
    db: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    number = _violence_case(db)
    named = json.loads(ok(db, f"case restrict {number} --add opi --json"))
    assert named == {"number": number, "named": ["opi", "tester"]}
    monkeypatch.setattr(users, "os_username", lambda: "opi")
    [row] = json.loads(ok(db, "case list --json"))
    assert row["client"]["name"] == "Ibu Rina"
    code, _out, err = psm(db, f"case sensitive {number} off")
    assert code == 4 and "supervisor" in one_line_error(err)
    monkeypatch.setattr(users, "os_username", lambda: "tester")
    ok(db, f"case restrict {number} --remove opi")
    assert ok(db, f"case sensitive {number} off") == f"{number}: not restricted"
    actions = [
        (e.action, e.changes)
        for e in AuditLog.select().order_by(AuditLog.id)
        if e.action in ("case.restrict", "case.sensitive")
    ]
    assert actions == [
        ("case.restrict", '{"named": [null, "opi"]}'),
        ("case.restrict", '{"named": ["opi", null]}'),
        ("case.sensitive", '{"sensitive": [true, false]}'),
    ]
