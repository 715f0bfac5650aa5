"""Masks that hold: the viewer's NIK reconstruction attack (issue 13), refused and audited.

A viewer saw ``3671********0003``, the kecamatan, the sex and the full birth date: that is the
whole NIK. Now the viewer's screens and JSON hold at most the last four digits and an age, and
a whole-NIK search by them is in the audit log (never the NIK in clear).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from psm_tui.cli.output import case_detail_json, case_json
from psm_tui.core import case_queries, cases, clock, masks, privacy
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import Actor
from psm_tui.ops import maintenance
from psm_tui.store.models import AuditLog
from tests.conftest import make_user

NIK = "3671054512850003"  # Kec. Cipondoh, a woman (45 = 5 + 40) born 5 Dec 1985, serial 0003
KK = "3671051203150007"
BORN = "1985-12-05"


@pytest.fixture
def number(admin: Actor) -> str:
    return cases.register_case(
        admin,
        name="Ibu Rina",
        kelurahan="Poris Plawad",
        category=8,
        nik=NIK,
        kk=KK,
        sex="P",
        birth_date=BORN,
    ).case.number


def _digit_runs(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def test_viewer_json_and_screens_hold_no_birth_date_and_at_most_four_nik_digits(
    admin: Actor, number: str
) -> None:
    viewer = make_user(admin, "vera", "viewer")
    detail = privacy.view_case(viewer, number)
    assert detail.client.birth_date is None
    assert detail.client.age == clock.today().year - 1985 - (
        clock.today() < dt.date(clock.today().year, 12, 5)
    )
    assert detail.client.nik == "************0003"
    assert detail.client.kk == "************0007"
    documents = json.dumps(
        [case_detail_json(detail), [case_json(r, []) for r in case_queries.list_cases(viewer)]]
    )
    assert BORN not in documents and "1985" not in documents and "0512" not in documents
    for secret in (NIK, KK):
        assert secret not in documents
        assert secret[:4] not in _digit_runs(documents), "no region prefix of the NIK or KK"
    assert masks.born_text(detail.client.birth_date, detail.client.age).endswith(" years")


def test_supervisor_still_sees_the_whole_nik_and_birth_date(admin: Actor, number: str) -> None:
    supervisor = make_user(admin, "sari", "supervisor")
    detail = privacy.view_case(supervisor, number)
    assert (detail.client.nik, detail.client.kk) == (NIK, KK)
    assert detail.client.birth_date == dt.date(1985, 12, 5)


def test_viewer_full_nik_search_is_audited_masked_once_a_day(admin: Actor, number: str) -> None:
    viewer = make_user(admin, "vera", "viewer")
    assert [r.number for r in case_queries.list_cases(viewer, CaseFilter(search=NIK))] == [number]
    assert case_queries.count_cases(CaseFilter(search=NIK[:8] + " " + NIK[8:]), viewer) == 1
    wrong = "3671054512850004"
    assert case_queries.list_cases(viewer, CaseFilter(search=wrong)) == []
    rows = list(AuditLog.select().where(AuditLog.action == "search.nik").order_by(AuditLog.id))
    assert [(r.username, r.detail) for r in rows] == [
        ("vera", "************0003"),
        ("vera", "************0004"),
    ]
    assert rows[0].entity_id == masks.nik_digest(NIK) != rows[1].entity_id
    every_row = json.dumps([list(r) for r in AuditLog.select().tuples()], default=str)
    assert NIK not in every_row and wrong not in every_row


def test_full_nik_search_by_supervisor_or_word_search_is_not_audited(
    admin: Actor, number: str
) -> None:
    supervisor = make_user(admin, "sari", "supervisor")
    viewer = make_user(admin, "vera", "viewer")
    case_queries.list_cases(supervisor, CaseFilter(search=NIK))
    case_queries.list_cases(viewer, CaseFilter(search="Rina"))
    assert AuditLog.select().where(AuditLog.action == "search.nik").count() == 0


def test_psm_check_flags_more_full_nik_searches_a_day_than_normal(
    initialised: Path, admin: Actor
) -> None:
    viewer = make_user(admin, "vera", "viewer")
    for serial in range(masks.NIK_SEARCHES_PER_DAY):
        case_queries.count_cases(CaseFilter(search=f"367105451285{serial:04d}"), viewer)
    item = {i.name: i for i in maintenance.check_database().items}["nik_searches"]
    assert item.ok, "the normal number of searches is not flagged"
    case_queries.count_cases(CaseFilter(search="3671054512859999"), viewer)
    item = {i.name: i for i in maintenance.check_database().items}["nik_searches"]
    assert not item.ok
    assert f"vera {clock.today().isoformat()}: {masks.NIK_SEARCHES_PER_DAY + 1}" in item.detail


def test_duplicate_nik_elsewhere_warns_without_details(admin: Actor, number: str) -> None:
    """A Karawaci operator registering the same NIK learns only that a case exists elsewhere."""
    operator = make_user(admin, "okar", "operator", kecamatan="Karawaci")
    result = cases.register_case(operator, name="Rina", kelurahan="Karawaci", category=8, nik=NIK)
    assert [(d.hidden, d.name, d.nik, d.kelurahan) for d in result.duplicates] == [
        (True, "", None, "")
    ]
    assert result.duplicates[0].reason == (
        "a case for this NIK exists in another kecamatan; ask a supervisor"
    )
    hints = cases.find_duplicates(
        "Ibu Rina",
        "36.71.05.1008",
        NIK,
        None,
        actor=make_user(admin, "ocip", "operator", kecamatan="Cipondoh"),
    )
    assert [(h.hidden, h.name, h.nik) for h in hints] == [(False, "Ibu Rina", "************0003")]
