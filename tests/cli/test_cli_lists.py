"""Lists say when they stopped at their limit, take --all, and show what needs work first."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.cli.test_cli_cases import ok, psm


def _new_case(db: str, name: str) -> str:
    return ok(db, f'case new --name "{name}" --kelurahan "Poris Plawad" --category 8')


def test_case_list_says_it_stopped_at_the_limit(initialised: Path) -> None:
    db = str(initialised)
    for name in ("Ani", "Budi", "Citra"):
        _new_case(db, name)
    code, out, err = psm(db, "case list --limit 2 --json")
    assert code == 0 and len(json.loads(out)) == 2
    assert err == "2 of 3 — --limit/--all\n"
    code, out, err = psm(db, "case list --limit 2 --all --json")
    assert code == 0 and len(json.loads(out)) == 3 and err == ""
    assert psm(db, "case list --limit 3")[2] == ""  # all of them shown: nothing to say


def test_followup_list_puts_open_ones_first_and_says_it_stopped(initialised: Path) -> None:
    db = str(initialised)
    number = _new_case(db, "Ani")
    today = dt.date.today()
    ids = [
        ok(
            db,
            f"followup new {number} --opd DINKES --action A --due {today + dt.timedelta(days)}",
        )
        for days in (1, 2, 3)
    ]
    ok(db, f"followup update {ids[0]} --status dibatalkan")  # the earliest due is closed
    code, out, err = psm(db, "followup list --limit 2 --json")
    assert code == 0
    assert [str(f["id"]) for f in json.loads(out)] == [ids[1], ids[2]]
    assert err == "2 of 3 — --limit/--all\n"
    code, out, err = psm(db, "followup list --limit 2 --all --json")
    assert [str(f["id"]) for f in json.loads(out)] == [ids[1], ids[2], ids[0]] and err == ""
