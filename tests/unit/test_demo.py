"""The demo data (seed 1, 5,000 cases): realistic, consistent and valid."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from peewee import fn

from psm_tui.core import case_queries, setup
from psm_tui.core.followups import FollowUpFilter, list_followups
from psm_tui.core.labels import HELD_STATUSES, STATUSES
from psm_tui.core.validation import parse_nik, validate_kk, validate_phone
from psm_tui.core.workers import WorkerFilter, list_workers
from psm_tui.store.models import (
    Activity,
    Assignment,
    Case,
    CaseCounter,
    Client,
    FollowUp,
    Kelurahan,
    StaffUser,
    Worker,
)


def test_counts(demo_db: Path) -> None:
    assert Worker.select().where(Worker.kind == "psm").count() == 987
    assert Worker.select().where(Worker.kind == "tksk").count() == 13
    assert Case.select().count() == 5000
    assert setup.get_meta("demo_seed") == "1"


def test_every_kelurahan_has_an_active_psm_and_every_kecamatan_a_tksk(demo_db: Path) -> None:
    psm = Counter(w.kelurahan_code for w in list_workers(WorkerFilter(kind="psm")))
    assert set(psm) == {k.code for k in Kelurahan.select()}
    assert max(psm.values()) > 2 * min(psm.values())  # uneven, as in life
    tksk = Counter(w.kecamatan_code for w in list_workers(WorkerFilter(kind="tksk")))
    assert len(tksk) == 13 and set(tksk.values()) == {1}


def test_every_nik_is_valid_and_agrees_with_sex_and_birth_date(demo_db: Path) -> None:
    today = dt.date.today()
    clients = list(Client.select().where(Client.nik.is_null(False)))
    assert len(clients) > 3000
    for client in clients:
        info = parse_nik(client.nik, today)
        assert (info.sex, info.birth_date) == (client.sex, client.birth_date), client.nik
        if client.kk:
            assert validate_kk(client.kk) == client.kk
        if client.phone:
            assert validate_phone(client.phone) == client.phone
    worker_niks = [w.nik for w in Worker.select()]
    assert len(set(worker_niks)) == 1000
    assert not set(worker_niks) & {c.nik for c in clients}
    for nik in worker_niks:
        assert parse_nik(nik, today).regency == "3671"


def test_cases_are_assigned_only_within_their_kelurahan(demo_db: Path) -> None:
    elsewhere = Case.select().join(Worker).where(Worker.kelurahan != Case.kelurahan).count()
    assert elsewhere == 0
    history = (
        Assignment.select()
        .join(Case)
        .switch(Assignment)
        .join(Worker)
        .where(Worker.kelurahan != Case.kelurahan)
        .count()
    )
    assert history == 0
    assert Case.select().where(Case.status == "baru", Case.worker.is_null(False)).count() == 0
    assert Case.select().where(Case.status != "baru", Case.worker.is_null()).count() == 0


def test_statuses_outcomes_and_versions_are_consistent(demo_db: Path) -> None:
    by_status = Counter(status for (status,) in Case.select(Case.status).tuples())
    assert set(by_status) == set(STATUSES)
    finished = Case.select().where(Case.status.in_(("selesai", "ditutup")))
    assert finished.where(Case.outcome.is_null() | Case.closed_at.is_null()).count() == 0
    assert (
        Case.select().where(Case.status.in_(HELD_STATUSES), Case.closed_at.is_null(False)).count()
        == 0
    )
    assert Case.select().where(Case.updated_at < Case.reported_at).count() == 0


def test_updated_at_is_the_case_s_own_last_event(demo_db: Path) -> None:
    last = dict(
        Activity.select(Activity.case, fn.MAX(Activity.at)).group_by(Activity.case).tuples()
    )
    mismatched = [
        number
        for case_id, number, updated in Case.select(Case.id, Case.number, Case.updated_at).tuples()
        if str(last[case_id]) != str(updated)
    ]
    assert mismatched == []


def test_case_numbers_run_per_year_without_gaps(demo_db: Path) -> None:
    per_year: dict[int, list[int]] = {}
    for (number,) in Case.select(Case.number).tuples():
        year, serial = number.split("-")
        per_year.setdefault(int(year), []).append(int(serial))
    assert len(per_year) >= 3  # 24 months span three calendar years at least partly
    for year, serials in per_year.items():
        assert sorted(serials) == list(range(1, len(serials) + 1))
        assert CaseCounter.get_by_id(year).last == len(serials)


def test_reported_over_the_last_24_months(demo_db: Path) -> None:
    oldest, newest = Case.select(fn.MIN(Case.reported_at), fn.MAX(Case.reported_at)).scalar(
        as_tuple=True
    )
    now = dt.datetime.now()
    assert now - dt.timedelta(days=731) <= oldest
    assert now - dt.timedelta(days=60) <= newest <= now


def test_a_realistic_category_mix(demo_db: Path) -> None:
    counts = Counter(code for (code,) in Case.select(Case.category).tuples())
    top = [code for code, _ in counts.most_common(3)]
    assert set(top) == {24, 8, 9}  # fakir miskin, lanjut usia terlantar, disabilitas
    assert counts[26] < 50  # komunitas adat terpencil is rare
    assert len(counts) >= 25


def test_followups_include_overdue_due_soon_and_rejected(demo_db: Path) -> None:
    assert len(list_followups(FollowUpFilter(overdue=True))) > 50
    assert len(list_followups(FollowUpFilter(due_soon=True))) > 20
    assert (
        FollowUp.select().where(FollowUp.status == "ditolak", FollowUp.reason.is_null()).count()
        == 0
    )
    assert FollowUp.select().where(FollowUp.status == "ditolak").count() > 50
    overdue = case_queries.count_cases(case_queries.CaseFilter(overdue=True))
    assert overdue > 50


def test_notes_and_home_visits(demo_db: Path) -> None:
    kinds = Counter(kind for (kind,) in Activity.select(Activity.kind).tuples())
    assert kinds["kunjungan"] > kinds["catatan"] > 0
    assert kinds["telepon"] > 0 and kinds["penugasan"] > 0 and kinds["rujukan"] > 0


def test_staff_of_every_role(demo_db: Path) -> None:
    roles = Counter(role for (role,) in StaffUser.select(StaffUser.role).tuples())
    assert roles["admin"] >= 2 and roles["supervisor"] >= 2
    assert roles["operator"] >= 2 and roles["viewer"] >= 2
    scoped = StaffUser.select().where(StaffUser.kecamatan.is_null(False)).count()
    assert scoped >= 1


def test_clients_are_city_residents_and_a_ktp_from_elsewhere_is_said(demo_db: Path) -> None:
    from psm_tui.ops.demo import CITY_NIK_PREFIX, OTHER_REGIONS

    niks = [c.nik for c in Client.select(Client.nik).where(Client.nik.is_null(False))]
    city = sum(nik.startswith(CITY_NIK_PREFIX) for nik in niks)
    assert 0.75 < city / len(niks) < 0.85
    for case in Case.select(Case, Client).join(Client):
        nik = case.client.nik or ""
        if nik and not nik.startswith(CITY_NIK_PREFIX):
            assert f"KTP {OTHER_REGIONS[nik[:6]]}, tinggal di Kota Tangerang." in case.description
        else:
            assert "KTP" not in case.description


def test_descriptions_fit_the_category(demo_db: Path) -> None:
    from psm_tui.ops.demo import ANY_CASE_DESCRIPTIONS, CATEGORY_DESCRIPTIONS

    for case in Case.select(Case.category, Case.description).objects():
        fitting = CATEGORY_DESCRIPTIONS[int(case.category_code)] + ANY_CASE_DESCRIPTIONS
        assert any(case.description.startswith(text) for text in fitting), case.description
    elderly = Case.select(Case.description).where(Case.category == 8)
    assert not [c for c in elderly if "banjir" in c.description]
