"""The office bench runs every action of every kind, from concurrent sessions, without an error
(no timings here: ``python -m bench office`` measures them)."""

from __future__ import annotations

from pathlib import Path

from bench import office, office_session
from bench.generate import generate
from psm_tui.core import session, users


def test_a_tiny_office_does_everything_without_errors(tmp_path: Path) -> None:
    path = str(generate(tmp_path / "bench.db", 500, seed=3, progress=False))
    outcome = office.run_office(
        path, sessions=2, seconds=120, think=(0.0, 0.01), import_rows=40, max_actions=60
    )
    assert outcome.failed == []
    rows = outcome.all()
    errors = [sample for _login, sample in rows if sample[3]]
    assert errors == []
    done = {sample[0] for _login, sample in rows}
    assert done >= {
        "list", "page down", "search name", "search NIK", "search number", "open case",
        "dashboard", "follow-ups view", "assign dialog",
        "note", "assign", "follow-up add", "follow-up close",
    }  # fmt: skip
    # One citywide user and one operator of a kecamatan, both at work.
    assert {login for login, _sample in rows} == {"dinsos_admin", "kantor_op01"}
    assert office.scoped_logins(path, office.logins(2)) == {"kantor_op01"}
    # The import ran meanwhile on the same database, every row taken.
    assert outcome.imported is not None
    assert (outcome.imported.code, outcome.imported.imported) == (0, 40), outcome.imported.error
    # The office's operators were registered through the users service, one kecamatan each.
    session.open_location(path)
    try:
        with session.unit_of_work():
            extra = [u for u in users.list_users() if u.username.startswith("kantor_op")]
    finally:
        session.close()
    assert len(extra) == office.EXTRA_OPERATORS
    assert all(u.role == "operator" and u.kecamatan_code for u in extra)
    assert "all saves" in office.table(outcome, {"kantor_op01"}, "t")


def test_the_session_reads_the_tui_page() -> None:
    from psm_tui.tui.widgets import case_table

    assert office_session.PAGE == case_table.PAGE
