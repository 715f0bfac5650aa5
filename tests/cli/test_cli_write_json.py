"""``--json`` on the commands that write: the written record, in its read command's shape."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli_cases import NIK, ok, psm

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"


def test_case_writes_print_what_case_show_prints(initialised: Path) -> None:
    db = str(initialised)
    worker = ok(db, 'worker add --name "Budi Santoso" --kelurahan "Poris Plawad"')
    created = json.loads(
        ok(
            db,
            f'case new --name "Siti Aminah" --kelurahan "Poris Plawad" --category 8 '
            f"--nik {NIK} --json",
        )
    )
    number = created["number"]
    assert created == json.loads(ok(db, f"case show {number} --json"))
    assigned = json.loads(ok(db, f"case assign {number} --worker {worker} --json"))
    assert assigned["status"] == "ditugaskan" and assigned["worker"]["id"] == int(worker)
    assert assigned == json.loads(ok(db, f"case show {number} --json"))
    started = json.loads(ok(db, f"case status {number} ditangani --json"))
    assert started["status"] == "ditangani" and started["version"] > assigned["version"]
    urgent = json.loads(ok(db, f"case priority {number} darurat --json"))
    assert urgent["priority"] == "darurat"


def test_followup_writes_print_what_followup_list_prints(initialised: Path) -> None:
    db = str(initialised)
    number = ok(db, 'case new --name "Siti Aminah" --kelurahan "Poris Plawad" --category 8')
    sent = json.loads(ok(db, f'followup new {number} --opd DINKES --action "PBI-JK" --json'))
    assert sent == json.loads(ok(db, "followup list --json"))[0]
    answered = json.loads(ok(db, f"followup update {sent['id']} --status diterima --json"))
    assert answered["status"] == "diterima"
    assert answered == json.loads(ok(db, "followup list --json"))[0]


def test_import_prints_what_it_did(initialised: Path) -> None:
    db = str(initialised)
    code, out, err = psm(
        db, ["import", "cases", str(FIXTURES / "cases_semicolon_bom.csv"), "--json"]
    )
    assert code == 0, err
    result = json.loads(out)
    assert (result["kind"], result["rows"], result["imported"]) == ("cases", 3, 3)
    assert len(result["case_numbers"]) == 3 and result["refusals"] == []
    shown = json.loads(ok(db, "case list --json"))
    assert sorted(c["number"] for c in shown) == sorted(result["case_numbers"])


def test_a_refused_import_still_prints_its_refusals(initialised: Path) -> None:
    code, out, err = psm(
        str(initialised), ["import", "cases", str(FIXTURES / "cases_one_bad.csv"), "--json"]
    )
    assert code == 1 and "Nothing imported" in err
    result = json.loads(out)
    assert result["imported"] == 0 and result["refused_rows"] == 1


def test_notes_and_worker_writes_print_their_record(initialised: Path) -> None:
    db = str(initialised)
    number = ok(db, 'case new --name "Siti Aminah" --kelurahan "Poris Plawad" --category 8')
    noted = json.loads(ok(db, f'case note {number} "Kunjungan pertama" --kind kunjungan --json'))
    assert noted["notes"][-1]["text"] == "Kunjungan pertama"
    assert noted == json.loads(ok(db, f"case show {number} --json"))
    added = json.loads(ok(db, 'worker add --name "Budi Santoso" --kelurahan "Poris Plawad" --json'))
    assert added == json.loads(ok(db, f"worker show {added['id']} --json"))
    edited = json.loads(ok(db, f"worker edit {added['id']} --phone 081234567890 --json"))
    assert edited["phone"] == "081234567890" and edited["name"] == "Budi Santoso"
