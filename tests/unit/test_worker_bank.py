"""A PSM's bank details: edited by an admin, masked below supervisor, audited both ways, and
read from the roster file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from psm_tui.core import workers
from psm_tui.core.bank import bank_details
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ValidationError
from psm_tui.store.models import AuditLog, Worker
from tests.conftest import make_user
from tests.files import import_path


def _psm(admin: Actor) -> int:
    return workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="36.71.05.1008").id


def test_an_edit_stores_the_account_and_audits_it_masked(admin: Actor) -> None:
    wid = _psm(admin)
    workers.edit_worker(admin, wid, bank="Bank BJB", account="0012-3456.7890", holder="Siti Aminah")
    row = Worker.get_by_id(wid)
    assert (row.bank_name, row.bank_account, row.bank_holder) == (
        "Bank BJB",
        "001234567890",
        "Siti Aminah",
    )
    edit = AuditLog.get(AuditLog.action == "worker.edit", AuditLog.entity_id == str(wid))
    assert "001234567890" not in edit.changes
    assert json.loads(edit.changes)["bank_account"] == [None, "********7890"]
    workers.edit_worker(admin, wid, account="")
    assert Worker.get_by_id(wid).bank_account is None


def test_an_account_that_is_not_digits_is_refused(admin: Actor) -> None:
    with pytest.raises(ValidationError, match="Account number"):
        workers.edit_worker(admin, _psm(admin), account="12AB")


def test_below_supervisor_the_account_is_masked_and_the_holder_hidden(admin: Actor) -> None:
    wid = _psm(admin)
    workers.edit_worker(admin, wid, bank="BJB", account="001234567890", holder="Siti")
    shown = bank_details(make_user(admin, "opa", "operator"), wid)
    assert (shown.bank, shown.account, shown.holder, shown.masked) == (
        "BJB",
        "********7890",
        None,
        True,
    )
    assert not AuditLog.select().where(AuditLog.action == "worker.bank.view").exists()
    full = bank_details(make_user(admin, "sup", "supervisor"), wid)
    assert (full.account, full.holder, full.masked) == ("001234567890", "Siti", False)
    viewed = AuditLog.get(AuditLog.action == "worker.bank.view")
    assert (viewed.username, viewed.entity_id) == ("sup", str(wid))


def test_the_roster_import_reads_bank_columns(admin: Actor, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "Nama,Jabatan,Kelurahan,Kecamatan,Nama Bank,No. Rekening,Atas Nama\n"
        "Ahmad Fauzi,PSM,Poris Plawad,Cipondoh,Bank BJB,0012 3456 7890,Ahmad Fauzi\n"
        "Budi,PSM,Poris Plawad,Cipondoh,BJB,12AB,Budi\n",
        encoding="utf-8",
    )
    result = import_path(admin, "workers", roster, skip_invalid=True)
    assert [(r.row, r.column) for r in result.refusals] == [(3, "No. Rekening")]
    ahmad = Worker.get(Worker.name == "Ahmad Fauzi")
    assert (ahmad.bank_name, ahmad.bank_account, ahmad.bank_holder) == (
        "Bank BJB",
        "001234567890",
        "Ahmad Fauzi",
    )
