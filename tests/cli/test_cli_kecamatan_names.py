"""Kecamatan by name where people read them: scope refusals and the user list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from psm_tui.core import users
from tests.cli.test_cli_cases import ok, psm


def test_user_list_names_the_kecamatan(initialised: Path) -> None:
    db = str(initialised)
    ok(db, "user add siti --role operator --kecamatan Cipondoh")
    listing = ok(db, "user list")
    assert "Kec. Cipondoh" in listing and "36.71.05" not in listing
    (siti,) = [u for u in json.loads(ok(db, "user list --json")) if u["username"] == "siti"]
    assert (siti["kecamatan"], siti["kecamatan_name"]) == ("36.71.05", "Kec. Cipondoh")


def test_an_out_of_scope_refusal_names_both_kecamatan(
    initialised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(initialised)
    ok(db, "user add siti --role operator --kecamatan Cipondoh")
    monkeypatch.setattr(users, "os_username", lambda: "siti")
    code, _out, err = psm(db, "case new --name Ani --kelurahan Karawaci --category 8")
    assert code != 0
    assert "Your scope is Kec. Cipondoh; this record is in Kec. Karawaci" in err
