"""Sensitive cases (kasus terbatas), role by role: who reads one in full, who sees only that it
exists (no client, no category) in the list, search, dashboard queue and exports, and how
opening it takes akses darurat. The case is in Kel. Poris Plawad, Kec. Cipondoh."""

from __future__ import annotations

import pytest

from psm_tui.core import (
    audit,
    case_queries,
    cases,
    clients,
    dashboard,
    followups,
    households,
    privacy,
    sensitive,
)
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import Actor
from psm_tui.core.errors import OutOfScope, PermissionDenied
from psm_tui.presentation import exports
from psm_tui.store import database
from psm_tui.store.models import Activity, AuditLog
from tests.conftest import make_user

# name -> (role, kecamatan)
ROLES = {
    "viewer": ("viewer", "Cipondoh"),
    "operator": ("operator", "Cipondoh"),
    "operator_unscoped": ("operator", None),
    "registrar": ("operator", "Cipondoh"),  # registered the case: named on it at intake
    "named": ("viewer", "Cipondoh"),  # named on it by a supervisor
    "supervisor": ("supervisor", None),
    "supervisor_elsewhere": ("supervisor", "Karawaci"),
    "viewer_elsewhere": ("viewer", "Karawaci"),
}
FULL = {"registrar", "named", "supervisor", "admin"}
RESTRICTED = {"viewer", "operator", "operator_unscoped", "supervisor_elsewhere"}
OUT_OF_SCOPE = {"viewer_elsewhere"}  # the case is not in their lists at all
NAME = "Melati Kusuma"


@pytest.fixture
def people(admin: Actor) -> dict[str, Actor]:
    found = {name: make_user(admin, name, role, kec) for name, (role, kec) in ROLES.items()}
    return {**found, "admin": admin}


@pytest.fixture
def number(people: dict[str, Actor]) -> str:
    """A violence case (PPKS 6, AKTK): sensitive from intake."""
    registered = cases.register_case(
        people["registrar"],
        name=NAME,
        nik="3671054506120001",
        kelurahan="Poris Plawad",
        category=6,
        description="kekerasan oleh ayah tiri",
    )
    sensitive.restrict(people["supervisor"], registered.case.number, add=["named"])
    return registered.case.number


def _row(actor: Actor) -> object:
    rows = case_queries.list_cases(actor)
    return rows[0] if rows else None


def test_the_categories_of_violence_trafficking_and_children_before_the_law_are_sensitive(
    admin: Actor,
) -> None:
    numbers = {
        code: cases.register_case(
            admin, name=f"Klien {code}", kelurahan="Poris Plawad", category=code
        ).case.number
        for code in (3, 6, 8, 18, 19, 24)
    }
    flagged = {code for code, n in numbers.items() if case_queries.case_row(n).sensitive}
    assert flagged == {3, 6, 18, 19} == set(sensitive.SENSITIVE_CATEGORIES)
    cases.set_category(admin, numbers[8], 19)  # triaged as violence: sensitive from then on
    assert case_queries.case_row(numbers[8]).sensitive


@pytest.mark.parametrize("who", sorted(FULL | RESTRICTED | OUT_OF_SCOPE))
def test_the_list_shows_a_sensitive_case_in_full_only_to_its_supervisors_and_named_users(
    people: dict[str, Actor], number: str, who: str
) -> None:
    row = _row(people[who])
    if who in OUT_OF_SCOPE:
        assert row is None
        return
    assert row is not None and row.number == number  # type: ignore[attr-defined]
    if who in FULL:
        assert (row.restricted, row.client_name, row.category.code) == (False, NAME, "6")  # type: ignore[attr-defined]
    else:
        assert row.restricted and row.client_name == "restricted case"  # type: ignore[attr-defined]
        assert (row.client_nik, row.category.code) == (None, "")  # type: ignore[attr-defined]


@pytest.mark.parametrize("who", sorted(FULL | RESTRICTED))
def test_a_search_by_who_or_what_finds_it_only_for_those_who_read_it(
    people: dict[str, Actor], number: str, who: str
) -> None:
    actor = people[who]
    by_name, by_nik, by_words = (
        case_queries.list_cases(actor, CaseFilter(search=text))
        for text in ("Melati", "3671054506120001", "ayah tiri")
    )
    found = [rows[0].number if rows else None for rows in (by_name, by_nik, by_words)]
    assert found == ([number] * 3 if who in FULL else [None] * 3)
    assert case_queries.count_cases(CaseFilter(search="Melati"), actor) == (who in FULL)
    # Its number names no one: found, restricted for the others.
    by_number = case_queries.list_cases(actor, CaseFilter(search=number))
    assert [(r.number, r.restricted) for r in by_number] == [(number, who not in FULL)]


@pytest.mark.parametrize("who", sorted(FULL | RESTRICTED))
def test_opening_it_takes_akses_darurat_for_all_but_those_who_read_it(
    people: dict[str, Actor], number: str, who: str
) -> None:
    actor = people[who]
    if who in FULL:
        assert privacy.view_case(actor, number).client.name == NAME
        return
    with pytest.raises(OutOfScope, match="restricted case"):
        privacy.view_case(actor, number)
    refused = AuditLog.select().where(
        AuditLog.username == who, AuditLog.action == "refused", AuditLog.detail == "sensitive case"
    )
    assert refused.exists()
    opened = privacy.view_case_emergency(actor, number, "klien datang ke kantor, butuh riwayat")
    assert opened.client.name == NAME and not opened.summary.restricted
    granted = AuditLog.get(AuditLog.username == who, AuditLog.action == "case.emergency")
    assert granted.case_number == number
    # For the rest of the day the case reads in full, and its client page opens from it.
    assert _row(actor).client_name == NAME  # type: ignore[union-attr]
    client_id = clients.client_of_case(actor, number)
    assert clients.view_client(actor, client_id).client.name == NAME


@pytest.mark.parametrize("who", sorted(FULL | RESTRICTED))
def test_the_export_blanks_who_and_what_for_the_others(
    people: dict[str, Actor], number: str, who: str
) -> None:
    keys = [column.key for column in exports.case_columns()]
    rows = [
        dict(zip(keys, row, strict=True)) for row in exports.case_rows(people[who], CaseFilter())
    ]
    assert [row["number"] for row in rows] == [number]
    shown = {key: rows[0][key] for key in exports.RESTRICTED_COLUMNS}
    if who in FULL:
        assert shown["client"] == NAME and shown["category_code"] == 6
    else:
        assert shown == dict.fromkeys(exports.RESTRICTED_COLUMNS) | {"client": "restricted case"}
    by_name = list(exports.case_rows(people[who], CaseFilter(search="Melati")))
    assert len(by_name) == (who in FULL)


def test_the_dashboard_queue_shows_it_restricted_once_its_registrar_is_no_longer_named(
    people: dict[str, Actor], number: str
) -> None:
    registrar = people["registrar"]
    assert [c.client_name for c in dashboard.figures(registrar).my_queue] == [NAME]
    sensitive.restrict(people["supervisor"], number, remove=["registrar"])
    queue = dashboard.figures(registrar).my_queue
    assert [(c.number, c.client_name) for c in queue] == [(number, "restricted case")]


def test_supervisors_name_users_and_mark_cases_audited(
    people: dict[str, Actor], number: str
) -> None:
    supervisor, operator = people["supervisor"], people["operator"]
    with pytest.raises(PermissionDenied):
        sensitive.restrict(operator, number, add=["operator"])
    assert sensitive.restrict(supervisor, number, add=["operator"]) == [
        "named",
        "operator",
        "registrar",
    ]
    assert AuditLog.get(AuditLog.username == "operator", AuditLog.action == "refused")
    assert _row(operator).client_name == NAME  # type: ignore[union-attr]
    sensitive.restrict(supervisor, number, remove=["operator"])
    assert _row(operator).restricted  # type: ignore[union-attr]

    assert sensitive.set_sensitive(supervisor, number, False)
    assert not _row(operator).restricted  # type: ignore[union-attr]
    assert sensitive.set_sensitive(supervisor, number, True)
    trail = [
        (e.action, e.changes)
        for e in audit.entries(case_number=number)
        if e.action in ("case.restrict", "case.sensitive")
    ]
    assert trail == [
        ("case.restrict", {"named": [None, "named"]}),
        ("case.restrict", {"named": [None, "operator"]}),
        ("case.restrict", {"named": ["operator", None]}),
        ("case.sensitive", {"sensitive": [True, False]}),
        ("case.sensitive", {"sensitive": [False, True]}),
    ]


def test_the_person_behind_a_restricted_case_is_not_found_through_the_client_or_household(
    people: dict[str, Actor], number: str
) -> None:
    kk = "3671050101200001"
    admin, operator = people["admin"], people["operator"]
    client_id = clients.client_of_case(admin, number)
    clients.edit_client(admin, client_id, {"kk": kk}, expected_version=None)
    sibling = cases.register_case(
        admin, name="Kakak Kusuma", kk=kk, kelurahan="Poris Plawad", category=24
    ).case.number
    # From the restricted case the client page stays shut; so does the page itself.
    with pytest.raises(OutOfScope):
        clients.client_of_case(operator, number)
    with pytest.raises(PermissionDenied, match="restricted"):
        clients.view_client(operator, client_id)
    assert clients.search_clients(operator, "Melati") == []
    # The household shows the member as existing, without name or cases.
    family = households.household(operator, kk)
    hidden = [m.hidden for m in family.members]
    assert sorted(hidden) == [False, True]
    assert NAME not in repr(family) and number not in repr(family)
    assert sibling in repr(family)
    # Those who read the case see the person, and the restricted case on the client page.
    record = clients.view_client(people["named"], client_id)
    assert [c.number for c in record.cases] == [number]
    assert [c.name for c in clients.search_clients(people["supervisor"], "Melati")] == [NAME]


def test_writing_to_it_takes_reading_it_first(people: dict[str, Actor], number: str) -> None:
    operator = people["operator"]
    for write in (
        lambda: cases.add_note(operator, number, "catatan"),
        lambda: cases.set_priority(operator, number, "tinggi"),
        lambda: followups.create_followup(operator, number, opd="DINKES", action="Periksa"),
    ):
        with pytest.raises(OutOfScope, match="restricted case"):
            write()
    assert not Activity.select().where(Activity.kind == "catatan").exists()
    cases.add_note(people["registrar"], number, "kunjungan rumah")


def test_intake_warns_of_the_same_person_without_naming_a_restricted_client(
    people: dict[str, Actor], number: str
) -> None:
    again = cases.register_case(
        people["operator"], name="Melati Kusuma", kelurahan="Poris Plawad", category=24
    )
    [hint] = again.duplicates
    assert hint.hidden and hint.name == "" and "restricted case" in hint.reason
    followups.create_followup(people["registrar"], number, opd="DINKES", action="Visum")
    by_name = followups.FollowUpFilter(search="Melati")
    assert followups.list_followups(by_name, actor=people["operator"]) == []
    assert len(followups.list_followups(by_name, actor=people["registrar"])) == 1


def test_the_migration_marks_existing_cases_and_names_who_registered_them(
    people: dict[str, Actor], number: str
) -> None:
    ordinary = cases.register_case(
        people["registrar"], name="Pak Joko", kelurahan="Poris Plawad", category=24
    ).case.number
    runner = database.runner()
    runner.down("0015_sensitive_cases")
    runner.up()
    assert [case_queries.case_row(n).sensitive for n in (number, ordinary)] == [True, False]
    assert sensitive.named_users(case_queries.case_row(number).id) == ["registrar"]
    rows = {r.number: r for r in case_queries.list_cases(people["operator"])}
    assert rows[number].restricted and not rows[ordinary].restricted
