"""The case's audit history in words: names for codes, labels for statuses, no JSON or dicts."""

from __future__ import annotations

from psm_tui.core import assignment, audit, audit_text, cases, workers
from psm_tui.core.audit import AuditEntry
from psm_tui.core.dto import Actor
from psm_tui.i18n import set_language


def history(number: str) -> list[audit_text.AuditLine]:
    return audit_text.audit_lines(audit.entries(case_number=number))


def test_creation_assignment_and_status_read_as_words(admin: Actor) -> None:
    workers.add_worker(admin, kind="psm", name="Siti Aminah", kelurahan="Poris Plawad")
    number = cases.register_case(
        admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8
    ).case.number
    assignment.assign_case(admin, number, auto=True)
    cases.change_status(admin, number, "ditangani")

    created, assigned, started = history(number)
    assert created.what == "registered the case"
    assert "kelurahan: Poris Plawad" in created.changes
    assert "status: new" in created.changes
    assert "source: walk-in" in created.changes
    for said in (created.changes, assigned.changes, started.changes):
        assert '"' not in said and "null" not in said and "{" not in said
    assert assigned.changes == "PSM: Siti Aminah; status: new → assigned"
    assert started.what == "changed the status"
    assert started.changes == "status: assigned → in progress"

    set_language("id")
    assert history(number)[2].changes == "status: ditugaskan → ditangani"


def test_filters_and_kecamatan_codes_are_named(admin: Actor) -> None:
    entry = AuditEntry(
        id=1,
        at=None,  # type: ignore[arg-type]
        username="kabid",
        action="export",
        entity="report",
        entity_id=None,
        case_number=None,
        changes={"filters": {"kecamatan": "36.71.05", "status": "baru"}},
        detail="",
    )
    (line,) = audit_text.audit_lines([entry])
    assert line.changes == "filters: kecamatan Cipondoh, status new"
