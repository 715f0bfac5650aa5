"""``psm client``, ``psm household`` and ``psm programme`` by the command line alone: the JSON
documents the README promises, with their cases and programmes."""

from __future__ import annotations

import json
from pathlib import Path

from psm_tui.store.models import AuditLog, Client
from tests.cli.test_cli_cases import ok

KK = "3671051203150007"
NIK = "3671055501800001"


def _family(db: str) -> tuple[str, str]:
    mother = ok(
        db,
        f"case new --name 'Ibu Sari' --kelurahan 'Poris Plawad' --category 24 "
        f"--nik {NIK} --kk {KK}",
    )
    child = ok(db, f"case new --name 'Anak Sari' --kelurahan 'Poris Plawad' --category 2 --kk {KK}")
    return mother, child


def test_client_show_json_has_the_record_its_cases_and_programmes(initialised: Path) -> None:
    db = str(initialised)
    mother, _child = _family(db)
    client = Client.get(Client.nik == NIK).id
    assert ok(db, f"programme enrol {client} PBI-JK --source DTSEN --from 2026-01-02").isdigit()
    document = json.loads(ok(db, f"client show {client} --json"))
    assert {
        "id",
        "name",
        "nik",
        "kk",
        "phone",
        "dtsen",
        "dtsen_desil",
        "dtsen_source",
        "dtsen_on",
        "version",
        "cases",
        "hidden_cases",
        "programmes",
    } <= set(document)
    assert [c["number"] for c in document["cases"]] == [mother]
    assert document["programmes"][0] | {"id": 0} == {
        "id": 0,
        "programme": "PBI-JK",
        "programme_name": document["programmes"][0]["programme_name"],
        "status": "aktif",
        "from": "2026-01-02",
        "to": None,
        "source": "DTSEN",
        "followup": None,
    }


def test_household_show_json_lists_each_member_with_cases_and_programmes(initialised: Path) -> None:
    db = str(initialised)
    mother, child = _family(db)
    ok(db, f"household add {KK} --name 'Bapak Sari' --sex L")
    document = json.loads(ok(db, f"household show {KK} --json"))
    assert document["kk"] == KK
    cases = {m["name"]: [c["number"] for c in m["cases"]] for m in document["members"]}
    assert cases == {"Ibu Sari": [mother], "Anak Sari": [child], "Bapak Sari": []}
    assert all("programmes" in m and m["hidden"] is False for m in document["members"])


def test_client_edit_and_merge_are_audited(initialised: Path) -> None:
    db = str(initialised)
    mother, child = _family(db)
    keep, drop = (Client.get(Client.name == n).id for n in ("Ibu Sari", "Anak Sari"))
    edited = json.loads(ok(db, f"client edit {keep} --set phone=081234567890 --version 1 --json"))
    assert edited["phone"] == "081234567890" and edited["version"] == 2
    ok(db, f"client merge {keep} {drop}")
    merged = json.loads(ok(db, f"client show {keep} --json"))
    assert sorted(c["number"] for c in merged["cases"]) == sorted([mother, child])
    actions = [row.action for row in AuditLog.select().order_by(AuditLog.id)]
    assert {"client.edit", "client.merge", "case.client"} <= set(actions)


def test_case_list_without_pbi_jk(initialised: Path) -> None:
    db = str(initialised)
    _mother, child = _family(db)
    ok(db, f"programme enrol {Client.get(Client.nik == NIK).id} PBI-JK")
    listed = json.loads(ok(db, "case list --without-programme pbi-jk --json"))
    assert [c["number"] for c in listed] == [child]
    figures = json.loads(ok(db, "programme summary --json"))
    assert figures["open_cases_without_pbi_jk"] == 1
    pbi = next(p for p in figures["programmes"] if p["programme"] == "PBI-JK")
    assert (pbi["diusulkan"], pbi["aktif"], pbi["berhenti"]) == (0, 1, 0)
