"""Assignment by kelurahan: least-loaded local PSM, then the kecamatan's PSM, then its TKSK."""

from __future__ import annotations

import pytest

from psm_tui.core import assignment, cases, workers
from psm_tui.core.dto import Actor, WorkerInfo
from psm_tui.core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from psm_tui.store.models import Assignment, Case
from tests.conftest import make_user


def psm(admin: Actor, name: str, kelurahan: str) -> WorkerInfo:
    return workers.add_worker(admin, kind="psm", name=name, kelurahan=kelurahan)


def new_case(admin: Actor, kelurahan: str = "Poris Plawad") -> str:
    return cases.register_case(admin, name="Ibu Sari", kelurahan=kelurahan, category=8).case.number


def load(admin: Actor, worker: WorkerInfo, count: int, kelurahan: str = "Poris Plawad") -> None:
    for _ in range(count):
        assignment.assign_case(admin, new_case(admin, kelurahan), worker_id=worker.id)


@pytest.fixture
def cipondoh(admin: Actor) -> dict[str, WorkerInfo]:
    """Kec. Cipondoh: three PSM in Kel. Poris Plawad (one inactive), one in Kel. Ketapang, a TKSK;
    and a PSM next door in Kec. Batuceper who must never be offered."""
    team = {
        "busy": psm(admin, "Ani Busy", "Poris Plawad"),
        "free": psm(admin, "Zaenal Free", "Poris Plawad"),
        "gone": psm(admin, "Aaron Gone", "Poris Plawad"),
        "ketapang": psm(admin, "Keti Ketapang", "Ketapang"),
        "tksk": workers.add_worker(admin, kind="tksk", name="Tono TKSK", kecamatan="Cipondoh"),
        "outside": psm(admin, "Bayu Batuceper", "Poris Gaga"),
    }
    workers.deactivate_worker(admin, team["gone"].id, "pindah domisili")
    load(admin, team["busy"], 2)
    load(admin, team["ketapang"], 3, "Ketapang")
    return team


def test_candidates_in_order(admin: Actor, cipondoh: dict[str, WorkerInfo]) -> None:
    options = assignment.candidates(new_case(admin))
    assert [(c.worker.name, c.tier, c.worker.open_cases) for c in options] == [
        ("Zaenal Free", "kelurahan", 0),
        ("Ani Busy", "kelurahan", 2),
        ("Keti Ketapang", "kecamatan", 3),
        ("Tono TKSK", "tksk", 0),
    ]
    assert options[0].reason == "PSM of Kel. Poris Plawad, Kec. Cipondoh with 0 open cases"
    assert options[2].reason == "PSM of Kel. Ketapang, same kecamatan, with 3 open cases"
    assert options[3].reason == "TKSK of Kec. Cipondoh"


def test_auto_takes_the_least_loaded_local_psm(
    admin: Actor, cipondoh: dict[str, WorkerInfo]
) -> None:
    number = new_case(admin)
    result = assignment.assign_case(admin, number, auto=True)
    assert result.worker.id == cipondoh["free"].id
    assert result.reason == "fewest open cases among the PSM of Kel. Poris Plawad (0)"
    assert result.case.summary.status == "ditugaskan"
    assert result.case.summary.worker is not None
    assert result.case.summary.worker.kelurahan_code == "36.71.05.1008"
    assert result.case.assignments[-1].reason == result.reason
    assert result.case.activities[-1].kind == "penugasan"
    assert workers.get_worker(cipondoh["free"].id).open_cases == 1


def test_load_balances_across_the_kelurahan(admin: Actor, cipondoh: dict[str, WorkerInfo]) -> None:
    chosen = [
        assignment.assign_case(admin, new_case(admin), auto=True).worker.name for _ in range(4)
    ]
    assert chosen == ["Zaenal Free", "Zaenal Free", "Ani Busy", "Zaenal Free"]


def test_an_inactive_psm_is_never_chosen(admin: Actor, cipondoh: dict[str, WorkerInfo]) -> None:
    workers.deactivate_worker(admin, cipondoh["free"].id, "mengundurkan diri")
    options = assignment.candidates(new_case(admin))
    assert cipondoh["gone"].id not in [c.worker.id for c in options]
    assert cipondoh["free"].id not in [c.worker.id for c in options]
    assert assignment.assign_case(admin, new_case(admin), auto=True).worker.name == "Ani Busy"


def test_falls_back_to_the_kecamatan_when_the_kelurahan_has_no_active_psm(
    admin: Actor, cipondoh: dict[str, WorkerInfo]
) -> None:
    number = new_case(admin, "Petir")  # Kec. Cipondoh, no PSM of its own
    result = assignment.assign_case(admin, number, auto=True)
    assert result.worker.name == "Zaenal Free"
    assert result.reason == (
        "no active PSM in Kel. Petir; PSM of Kel. Poris Plawad, same kecamatan, with 0 open cases"
    )


def test_falls_back_to_the_tksk_when_the_kecamatan_has_no_active_psm(admin: Actor) -> None:
    lone = psm(admin, "Lina Larangan", "Kreo")
    tksk = workers.add_worker(admin, kind="tksk", name="Tarno TKSK", kecamatan="Larangan")
    workers.deactivate_worker(admin, lone.id, "sakit")
    result = assignment.assign_case(admin, new_case(admin, "Cipadu"), auto=True)
    assert result.worker.id == tksk.id
    assert result.reason == "no active PSM in Kec. Larangan; its TKSK"


def test_no_one_to_assign(admin: Actor) -> None:
    psm(admin, "Bayu Batuceper", "Poris Gaga")
    number = new_case(admin, "Kreo")
    with pytest.raises(ConflictError, match=r"No active PSM or TKSK in Kec. Larangan"):
        assignment.assign_case(admin, number, auto=True)
    case = Case.get(Case.number == number)
    assert (case.status, case.worker_id, case.version) == ("baru", None, 1)
    assert Assignment.select().where(Assignment.case == case.id).count() == 0


def test_reassigning_ends_the_previous_assignment(
    admin: Actor, cipondoh: dict[str, WorkerInfo]
) -> None:
    number = new_case(admin)
    assignment.assign_case(admin, number, auto=True)
    cases.change_status(admin, number, "ditangani")
    result = assignment.assign_case(admin, number, auto=True)
    assert result.worker.name == "Ani Busy"  # the current holder is skipped
    assert result.case.summary.status == "ditangani"
    history = result.case.assignments
    assert [(a.worker_name, a.ended_at is None) for a in history] == [
        ("Zaenal Free", False),
        ("Ani Busy", True),
    ]
    with pytest.raises(ConflictError, match="already held by Ani Busy"):
        assignment.assign_case(admin, number, worker_id=cipondoh["busy"].id)


def test_manual_assignment_rules(admin: Actor, cipondoh: dict[str, WorkerInfo]) -> None:
    operator = make_user(admin, "op", "operator")
    number = new_case(admin)
    with pytest.raises(ValidationError):
        assignment.assign_case(operator, number)
    with pytest.raises(ValidationError):
        assignment.assign_case(operator, number, worker_id=cipondoh["free"].id, auto=True)
    with pytest.raises(NotFoundError, match="Worker 999 not found"):
        assignment.assign_case(operator, number, worker_id=999)
    with pytest.raises(ConflictError, match="Aaron Gone is inactive"):
        assignment.assign_case(operator, number, worker_id=cipondoh["gone"].id)
    with pytest.raises(PermissionDenied, match="needs the supervisor role"):
        assignment.assign_case(operator, number, worker_id=cipondoh["outside"].id)
    assert Case.get(Case.number == number).version == 1
    result = assignment.assign_case(
        operator, number, worker_id=cipondoh["ketapang"].id, reason="sudah kenal keluarga"
    )
    assert (result.worker.name, result.reason) == ("Keti Ketapang", "sudah kenal keluarga")
    supervisor = make_user(admin, "kabid", "supervisor")
    result = assignment.assign_case(supervisor, number, worker_id=cipondoh["outside"].id)
    assert result.reason == "chosen by Kabid"


def test_finished_cases_are_not_assigned(admin: Actor, cipondoh: dict[str, WorkerInfo]) -> None:
    number = new_case(admin)
    assignment.assign_case(admin, number, auto=True)
    cases.change_status(admin, number, "ditangani")
    cases.change_status(admin, number, "selesai", outcome="beres")
    with pytest.raises(ConflictError, match="is resolved; reopen it"):
        assignment.assign_case(admin, number, auto=True)
    assert workers.get_worker(cipondoh["free"].id).open_cases == 0
