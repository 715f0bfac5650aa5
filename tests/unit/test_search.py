"""Case search: the index (FTS5 on SQLite, tsvector on PostgreSQL: words, prefixes, diacritics,
punctuation), exact NIK and case number lookups, and the index staying in step with every write."""

from __future__ import annotations

import pytest

from psm_tui.core import case_queries, cases
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import Actor
from psm_tui.store import search as backend_search
from psm_tui.store.backend import dialect_of
from psm_tui.store.database import db
from psm_tui.store.dialects import postgresql, sqlite
from psm_tui.store.models import Case, Client

NIK = "3671055501800001"


def register(actor: Actor, name: str, description: str = "", **values: object) -> str:
    return cases.register_case(
        actor,
        name=name,
        kelurahan="Poris Plawad",
        category=8,
        description=description,
        **values,  # type: ignore[arg-type]
    ).case.number


def found(actor: Actor, text: str) -> list[str]:
    rows = case_queries.list_cases(actor, CaseFilter(search=text), limit=100)
    assert case_queries.count_cases(CaseFilter(search=text)) == len(rows)
    return sorted(row.number for row in rows)


def index_in_step() -> None:
    assert backend_search.case_search_in_step(db.obj)


@pytest.fixture
def people(admin: Actor) -> dict[str, str]:
    return {
        "sulis": register(
            admin,
            "Dewi Sulistyowáti",
            "Butuh kursi roda setelah stroke.",
            nik=NIK,
            sex="P",
            birth_date="1980-01-15",
        ),
        "budi": register(admin, "Budi Santoso", "Pasca covid-19 kehilangan pekerjaan."),
        "andi": register(admin, "Andi Pratama", "Rumah tidak layak huni; atap bocor."),
    }


def test_words_of_the_name_and_their_prefixes(admin: Actor, people: dict[str, str]) -> None:
    assert found(admin, "Budi Santoso") == [people["budi"]]
    assert found(admin, "santo") == [people["budi"]]
    assert found(admin, "BUDI") == [people["budi"]]
    assert found(admin, "budi pratama") == []


def test_diacritics_fold_both_ways(admin: Actor, people: dict[str, str]) -> None:
    assert found(admin, "sulistyowati") == [people["sulis"]]
    assert found(admin, "Sulistyowati") == [people["sulis"]]
    assert found(admin, "SULISTYOWÁTI") == [people["sulis"]]
    assert found(admin, "sulistyow") == [people["sulis"]]


def test_words_of_the_description(admin: Actor, people: dict[str, str]) -> None:
    assert found(admin, "kursi roda") == [people["sulis"]]
    assert found(admin, "atap") == [people["andi"]]
    assert found(admin, '"tidak layak huni"') == [people["andi"]]
    assert found(admin, "layak -bocor") == []


def test_nik_and_case_number_are_exact(admin: Actor, people: dict[str, str]) -> None:
    assert found(admin, NIK) == [people["sulis"]]
    assert found(admin, "3671 0555 0180 0001") == [people["sulis"]]
    assert found(admin, "3671055501800002") == []
    assert found(admin, people["andi"]) == [people["andi"]]
    year = people["andi"][:4]
    assert found(admin, f"{year}-00000") == sorted(people.values())


@pytest.mark.parametrize(
    "text",
    [
        "covid-19",
        '"',
        "'",
        '"unterminated',
        "(",
        ")",
        "a(b",
        "***",
        "*",
        "-",
        "--x",
        "AND",
        "OR NOT",
        "NEAR(a b)",
        "name:",
        "name:budi",
        "x:y",
        "^budi",
        "budi^",
        "{number}:1",
        "100%",
        "[/]",
        "ñ",
        "\\",
        'a"b"c',
        "  ",
        "💡",
        'covid 19 "pekerjaan',
    ],
)
def test_punctuation_never_raises(admin: Actor, people: dict[str, str], text: str) -> None:
    case_queries.list_cases(admin, CaseFilter(search=text))
    case_queries.count_cases(CaseFilter(search=text))


def test_punctuation_still_finds(admin: Actor, people: dict[str, str]) -> None:
    assert found(admin, "covid-19") == [people["budi"]]
    assert found(admin, "covid") == [people["budi"]]
    assert found(admin, "name:budi") == [people["budi"]]
    assert found(admin, "kursi OR atap") == sorted([people["sulis"], people["andi"]])


def test_index_follows_description_edits(admin: Actor, people: dict[str, str]) -> None:
    with db.atomic():
        case = case_queries.case_row(people["andi"])
        cases.save_case(
            admin, case, case.version, {"description": "Banjir merendam rumah."}, "case.edit"
        )
    assert found(admin, "banjir") == [people["andi"]]
    assert found(admin, "atap") == []
    Case.update(description="Atap runtuh").where(Case.number == people["andi"]).execute()
    assert found(admin, "banjir") == []
    assert found(admin, "runtuh") == [people["andi"]]
    index_in_step()


def test_index_follows_client_renames(admin: Actor, people: dict[str, str]) -> None:
    budi = Case.get(Case.number == people["budi"])
    second = register(admin, "Budi Santoso", "Kunjungan kedua.")
    Case.update(client=budi.client_id).where(Case.number == second).execute()
    Client.update(name="Budiman Hartono").where(Client.id == budi.client_id).execute()
    assert found(admin, "hartono") == sorted([people["budi"], second])
    assert found(admin, "santoso") == []
    index_in_step()


def test_index_follows_new_and_deleted_cases(admin: Actor, people: dict[str, str]) -> None:
    extra = register(admin, "Joko Widarto", "Terlantar di terminal.")
    assert found(admin, "terminal") == [extra]
    case = Case.get(Case.number == extra)
    with db.atomic():
        for model in (case.activities, case.assignments, case.followups):
            for row in model:
                row.delete_instance()
        case.delete_instance()
    assert found(admin, "terminal") == []
    index_in_step()


def test_broad_and_narrow_plans_agree(
    admin: Actor, people: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for index in range(6):
        register(admin, f"Warga Kampung {index}", "Rumah terendam banjir.")
    narrow = [r.number for r in case_queries.list_cases(admin, CaseFilter(search="rumah"))]
    oldest = [
        r.number for r in case_queries.list_cases(admin, CaseFilter(search="rumah"), order="oldest")
    ]
    for dialect in (sqlite, postgresql):
        monkeypatch.setattr(dialect, "BROAD_SEARCH", 2)
    broad = [r.number for r in case_queries.list_cases(admin, CaseFilter(search="rumah"))]
    assert broad == narrow
    assert len(broad) == 7
    paged = case_queries.list_cases(admin, CaseFilter(search="rumah"), limit=3, offset=2)
    assert [r.number for r in paged] == narrow[2:5]
    assert [
        r.number for r in case_queries.list_cases(admin, CaseFilter(search="rumah"), order="oldest")
    ] == oldest
    assert case_queries.count_cases(CaseFilter(search="rumah")) == 7
    assert case_queries.count_cases(CaseFilter(search="rumah", status=("baru",))) == len(
        case_queries.list_cases(admin, CaseFilter(search="rumah", status=("baru",)))
    )


def test_query_translation_is_always_valid() -> None:
    assert sqlite.case_search_query("covid-19") == '"covid-19"*'
    assert sqlite.case_search_query('say "hi there" now') == '"say"* AND "hi there" AND "now"*'
    assert sqlite.case_search_query("---") == '""'


def test_tsquery_translation_is_always_valid() -> None:
    assert postgresql.case_search_tsquery("covid-19") == "(covid <-> 19:*)"
    assert (
        postgresql.case_search_tsquery('say "hi there" now') == "(say:*) & (hi <-> there) & (now:*)"
    )
    assert postgresql.case_search_tsquery("kursi OR -atap") == "(kursi:*) | !(atap:*)"
    assert postgresql.case_search_tsquery("NOT name:budi") == "!(budi:*)"
    assert postgresql.case_search_tsquery("--- ' ( ) :*") is None


def test_the_index_check_sees_a_stale_row(admin: Actor, people: dict[str, str]) -> None:
    index_in_step()
    case = Case.get(Case.number == people["budi"])
    if dialect_of(db) is sqlite.DIALECT:  # an external-content FTS5 row goes missing
        db.execute_sql(
            "INSERT INTO case_search(case_search, rowid, number, name, description)"
            " VALUES ('delete', ?, ?, ?, ?)",
            (case.id, case.number, "Budi Santoso", case.description),
        )
    else:
        db.execute_sql("DELETE FROM case_search WHERE id = %s", (case.id,))
    assert not backend_search.case_search_in_step(db.obj)
