"""The client record, the household of a No. KK and programme enrolments, in the core."""

from __future__ import annotations

import json

import pytest

from psm_tui.core import case_queries, cases, clients, followups, households, programmes
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import Actor
from psm_tui.core.errors import PermissionDenied, StaleVersionError
from psm_tui.store.models import AuditLog, Case, Client
from tests.conftest import make_user

KK = "3671051203150007"
MOTHER = "3671055501800001"  # woman, born 15 Jan 1980


def register(actor: Actor, name: str, **values: object) -> str:
    values = {"name": name, "kelurahan": "Poris Plawad", "category": 8, "kk": KK, **values}
    return cases.register_case(actor, **values).case.number  # type: ignore[arg-type]


def client_id(number: str) -> int:
    return int(Case.get(Case.number == number).client_id)


def test_an_edit_is_audited_field_by_field_and_bumps_the_version(admin: Actor) -> None:
    cid = client_id(register(admin, "Ibu Sari", phone="081234567890"))
    record = clients.edit_client(
        admin,
        cid,
        {"phone": "0812 9999 0000", "dtsen": "terdaftar", "dtsen_desil": "2"},
        expected_version=1,
    )
    assert record.client.phone == "081299990000" and record.client.version == 2
    assert record.client.dtsen_source == clients.WORKER_CHECK
    row = AuditLog.select().where(AuditLog.action == "client.edit").get()
    changes = json.loads(row.changes)
    assert changes["phone"] == ["081234567890", "081299990000"]
    assert changes["dtsen_desil"] == [None, 2] and row.entity_id == str(cid)


def test_a_save_over_a_newer_save_is_refused(admin: Actor) -> None:
    cid = client_id(register(admin, "Ibu Sari"))
    clients.edit_client(admin, cid, {"phone": "081234567890"}, expected_version=1)
    with pytest.raises(StaleVersionError):
        clients.edit_client(admin, cid, {"address": "Jl. Mawar 1"}, expected_version=1)
    assert Client.get_by_id(cid).address == ""


def test_the_client_page_lists_only_cases_in_the_readers_scope(admin: Actor) -> None:
    number = register(admin, "Ibu Sari", nik=MOTHER)
    register(admin, "Ibu Sari", nik=MOTHER, kelurahan="Sukarasa")
    operator = make_user(admin, "ops", "operator", kecamatan="Cipondoh")
    record = clients.view_client(operator, client_id(number))
    assert [c.number for c in record.cases] == [number] and record.hidden_cases == 1
    outsider = make_user(admin, "far", "operator", kecamatan="Tangerang")
    sukarasa = register(admin, "Pak Jauh", kk=None, kelurahan="Sukarasa")
    with pytest.raises(PermissionDenied):
        clients.view_client(make_user(admin, "near", "viewer", "Cipondoh"), client_id(sukarasa))
    assert clients.view_client(outsider, client_id(sukarasa)).cases


def test_a_household_lists_members_cases_and_programmes(admin: Actor) -> None:
    mother = client_id(register(admin, "Ibu Sari", nik=MOTHER))
    child = register(admin, "Anak Sari")
    programmes.enrol(admin, mother, "pbi-jk", source="DTSEN")
    added = households.add_member(admin, KK, name="Bapak Sari", sex="L")
    found = households.view_household(admin, KK)
    by_name = {m.client.name: m for m in found.members if m.client}
    assert set(by_name) == {"Ibu Sari", "Anak Sari", "Bapak Sari"}
    assert [c.number for c in by_name["Anak Sari"].cases] == [child]
    assert [e.programme.code for e in by_name["Ibu Sari"].enrolments] == ["PBI-JK"]
    assert added.client.kelurahan and added.client.kelurahan.name == "Poris Plawad"
    assert case_queries.count_cases(CaseFilter(search=KK), admin) == 2


def test_open_cases_without_pbi_jk_are_counted(admin: Actor) -> None:
    covered = register(admin, "Ibu Sari", kk=None)
    register(admin, "Pak Budi", kk=None)
    case = case_queries.case_row(covered)
    followup = followups.create_followup(admin, covered, opd="DINKES", action="Daftarkan PBI-JK")
    enrolment = programmes.enrol_from_followup(admin, followup.id, "PBI-JK")
    assert enrolment.client_id == case.client_id and enrolment.followup_id == followup.id
    open_uncovered = CaseFilter(status=("baru",), without_programme=programmes.HEALTH_COVER)
    assert case_queries.count_cases(open_uncovered, admin) == 1


def test_a_merge_moves_the_cases_and_says_what_was_kept(admin: Actor) -> None:
    first = register(admin, "Siti Aminah", kk=None, phone="081234567890")
    second = register(admin, "Siti Aminah", kk=KK, nik=MOTHER, address="Jl. Melati 3")
    keep, drop = client_id(first), client_id(second)
    result = clients.merge_clients(admin, keep, drop, take=("address",))
    survivor = Client.get_by_id(keep)
    assert (survivor.nik, survivor.kk, survivor.phone) == (MOTHER, KK, "081234567890")
    assert survivor.address == "Jl. Melati 3" and Client.get_or_none(Client.id == drop) is None
    assert {c.number for c in result.client.cases} == {first, second}
    assert result.kept_from["phone"] == keep and result.kept_from["nik"] == drop
    merge = AuditLog.get(AuditLog.action == "client.merge")
    assert json.loads(merge.detail)["kept_from"]["address"] == drop
    moved = AuditLog.get(AuditLog.action == "case.client")
    assert moved.case_number == second


def test_a_merge_needs_a_supervisor(admin: Actor) -> None:
    keep = client_id(register(admin, "Siti", kk=None))
    drop = client_id(register(admin, "Siti A", kk=None))
    with pytest.raises(PermissionDenied):
        clients.merge_clients(make_user(admin, "ops", "operator"), keep, drop)


def test_the_programme_summary_counts_clients_and_open_cases_without_pbi_jk(admin: Actor) -> None:
    covered = client_id(register(admin, "Ibu Sari", kk=None))
    register(admin, "Pak Budi", kk=None)
    register(admin, "Pak Joko", kk=None, kelurahan="Sukarasa")
    programmes.enrol(admin, covered, "PBI-JK")
    programmes.enrol(admin, covered, "PKH", status="diusulkan")
    figures, uncovered = programmes.summary(admin)
    by_code = {f.programme.code: (f.proposed, f.active, f.ended) for f in figures}
    assert by_code["PBI-JK"] == (0, 1, 0) and by_code["PKH"] == (1, 0, 0)
    assert uncovered == 2
    operator = make_user(admin, "ops", "operator", kecamatan="Cipondoh")
    assert programmes.summary(operator)[1] == 1  # Sukarasa is outside Cipondoh


def test_a_member_outside_the_readers_scope_is_shown_only_as_existing(admin: Actor) -> None:
    register(admin, "Ibu Sari")
    register(admin, "Kakak Sari", kelurahan="Sukarasa")
    operator = make_user(admin, "ops", "operator", kecamatan="Cipondoh")
    members = households.view_household(operator, KK).members
    assert [m.client.name if m.client else None for m in members] == ["Ibu Sari", None]
    assert members[1].hidden and members[1].cases == []
    assert [c.name for c in clients.search_clients(operator, "Sari")] == ["Ibu Sari"]
