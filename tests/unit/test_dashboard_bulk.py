"""The dashboard's figures and bulk assignment by load (services behind the TUI)."""

from __future__ import annotations

import datetime as dt

from psm_tui.core import assignment, bulk, cases, clock, dashboard, followups, lookup, workers
from psm_tui.core.dto import Actor
from psm_tui.store.models import Case, FollowUp
from tests.conftest import make_user


def new_case(actor: Actor, kelurahan: str = "Poris Plawad") -> str:
    return cases.register_case(actor, name="Ibu Sari", kelurahan=kelurahan, category=8).case.number


def test_dashboard_counts_what_needs_attention(admin: Actor) -> None:
    siti = make_user(admin, "siti", "operator")
    budi = workers.add_worker(admin, kind="psm", name="Budi", kelurahan="Poris Plawad")
    mine = [new_case(admin) for _ in range(3)]
    theirs = new_case(siti, "Kenanga")
    assignment.assign_case(admin, mine[0], worker_id=budi.id)
    followups.create_followup(admin, mine[0], opd="DINKES", action="PBI-JK", due=clock.today())
    late = followups.create_followup(
        admin, mine[1], opd="DINSOS", action="Sembako", due=clock.today()
    )
    Case.update(status="selesai").where(Case.number == mine[2]).execute()
    FollowUp.update(due_on=clock.today() - dt.timedelta(days=3)).where(
        FollowUp.id == late.id
    ).execute()

    figures = dashboard.figures(admin)
    assert (figures.untriaged, figures.unassigned, figures.open_cases) == (2, 2, 3)
    assert (figures.overdue_followups, figures.due_soon_followups) == (1, 1)
    assert {c.number for c in figures.my_queue} == {mine[0], mine[1]}  # open, registered by me
    assert figures.my_queue_total == 2 and theirs not in {c.number for c in figures.my_queue}
    cipondoh = next(a for a in figures.by_kecamatan if a.name == "Cipondoh")
    assert (cipondoh.open, cipondoh.unassigned) == (3, 2)
    assert len(figures.by_kecamatan) == 13
    # open cases of two statuses in one kelurahan add up; a kecamatan without any shows zeros
    others = {(a.open, a.unassigned) for a in figures.by_kecamatan if a.name != "Cipondoh"}
    assert others == {(0, 0)}
    by_opd = {o.code: (o.open, o.overdue) for o in dashboard.followups_by_opd()}
    assert by_opd["DINKES"] == (1, 0) and by_opd["DINSOS"] == (1, 1) and by_opd["BPBD"] == (0, 0)


def test_bulk_assignment_spreads_cases_over_the_kelurahan_by_load(admin: Actor) -> None:
    ani = workers.add_worker(admin, kind="psm", name="Ani", kelurahan="Poris Plawad")
    budi = workers.add_worker(admin, kind="psm", name="Budi", kelurahan="Poris Plawad")
    workers.add_worker(admin, kind="psm", name="Keti", kelurahan="Ketapang")
    for _ in range(2):  # Ani starts with two open cases, Budi with one (held, below)
        assignment.assign_case(admin, new_case(admin), worker_id=ani.id)
    numbers = [new_case(admin) for _ in range(5)]
    held = new_case(admin)
    assignment.assign_case(admin, held, worker_id=budi.id)

    plan = bulk.plan([*numbers, held])
    assert [p.worker_name for p in plan[:5]] == ["Budi", "Ani", "Budi", "Ani", "Budi"]
    assert plan[5].worker_id is None  # already held: bulk never reassigns

    result = bulk.bulk_assign(admin, [*numbers, held])
    assert [n for n, _why in result.failed] == [held]
    holders = [Case.get(Case.number == n).worker_id for n in numbers]
    assert holders.count(budi.id) == 3 and holders.count(ani.id) == 2
    assert workers.open_caseload(ani.id) == workers.open_caseload(budi.id) == 4


def test_bulk_falls_back_to_the_kecamatan_and_lookups_match_names(admin: Actor) -> None:
    keti = workers.add_worker(admin, kind="psm", name="Keti", kelurahan="Ketapang")
    number = new_case(admin)  # Poris Plawad has no PSM
    assert bulk.plan([number])[0].worker_id == keti.id
    assert [k.name for k in lookup.match_kelurahan("poris pla")][:1] == ["Poris Plawad"]
    assert lookup.case_numbers_like(number[:9]) == [number]
    assert lookup.cases_numbered(int(number[5:])) == [number]
    assert [w.name for w in lookup.search_workers("ket")] == ["Keti"]
    assert lookup.category_abbrevs()["8"] == "LUT"
