"""Read scope (issue 13): a Karawaci operator gets nothing of Cipondoh's cases, except through
akses darurat: a stated reason, audited, for that case until the end of the day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from psm_tui.core import (
    case_queries,
    cases,
    clock,
    dashboard,
    emergency,
    followups,
    privacy,
    reports,
)
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import Actor
from psm_tui.core.errors import OutOfScope, PermissionDenied, ValidationError
from psm_tui.presentation import exports
from psm_tui.store.models import AuditLog, EmergencyAccess
from tests.conftest import make_user
from tests.files import export as export_to

REASON = "klien datang ke kantor, perlu riwayat kasus"


@pytest.fixture
def cipondoh_case(admin: Actor) -> str:
    number = cases.register_case(
        admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8
    ).case.number
    followups.create_followup(admin, number, opd="DINKES", action="Daftarkan PBI-JK")
    return number


@pytest.fixture
def karawaci(admin: Actor) -> Actor:
    return make_user(admin, "okar", "operator", kecamatan="Karawaci")


def test_scoped_operator_list_search_count_export_dashboard_of_another_kecamatan_are_empty(
    admin: Actor, cipondoh_case: str, karawaci: Actor, tmp_path: Path
) -> None:
    own = cases.register_case(karawaci, name="Pak Budi", kelurahan="Karawaci", category=24)
    mine = own.case.number
    assert [r.number for r in case_queries.list_cases(karawaci)] == [mine]
    cipondoh = CaseFilter(kecamatan="36.71.05")
    assert case_queries.list_cases(karawaci, cipondoh) == []
    assert case_queries.count_cases(cipondoh, karawaci) == 0
    assert case_queries.list_cases(karawaci, CaseFilter(search="Sari")) == []
    assert case_queries.count_cases(CaseFilter(search="Sari"), karawaci) == 0
    assert case_queries.count_cases(CaseFilter(search=cipondoh_case), karawaci) == 0
    figures = dashboard.figures(karawaci)
    assert (figures.open_cases, figures.untriaged, figures.overdue_followups) == (1, 1, 0)
    assert [(k.code, k.open) for k in figures.by_kecamatan] == [("36.71.07", 1)]
    assert figures.scope == "36.71.07" and figures.emergency == []
    assert followups.list_followups(actor=karawaci) == []
    assert sum(o.open for o in dashboard.followups_by_opd(karawaci)) == 0
    out = tmp_path / "cases.csv"
    result = export_to(karawaci, exports.ExportRequest("cases", "csv"), out)
    assert result.rows == 1 and mine in out.read_text() and cipondoh_case not in out.read_text()
    with pytest.raises(PermissionDenied, match="scope"):
        export_to(karawaci, exports.ExportRequest("cases", "csv", filters=cipondoh), tmp_path / "c")
    overview = reports.overview(reports.scoped(karawaci, reports.ReportScope()))
    assert overview.total == 1 and [k.code for k in overview.kecamatan] == ["36.71.07"]
    with pytest.raises(PermissionDenied, match="scope"):
        reports.scoped(karawaci, reports.ReportScope(kecamatan="36.71.05"))
    # The citywide figures are unchanged for a supervisor.
    assert dashboard.figures(admin).open_cases == 2


def test_scoped_viewer_is_scoped_too(admin: Actor, cipondoh_case: str) -> None:
    viewer = make_user(admin, "vkar", "viewer", kecamatan="Karawaci")
    assert case_queries.list_cases(viewer) == []
    with pytest.raises(OutOfScope):
        privacy.view_case(viewer, cipondoh_case)


def test_opening_an_out_of_scope_case_is_refused_and_audited(
    cipondoh_case: str, karawaci: Actor
) -> None:
    with pytest.raises(OutOfScope, match="outside your scope") as refusal:
        privacy.view_case(karawaci, cipondoh_case)
    assert refusal.value.number == cipondoh_case
    refused = AuditLog.get(AuditLog.action == "refused", AuditLog.username == "okar")
    assert (refused.entity, refused.detail) == ("case", "out of scope 36.71.05")
    assert AuditLog.select().where(AuditLog.action == "case.view").count() == 0


def test_emergency_access_needs_a_reason(cipondoh_case: str, karawaci: Actor) -> None:
    for reason in ("", "   ", "perlu"):
        with pytest.raises(ValidationError):
            privacy.view_case_emergency(karawaci, cipondoh_case, reason)
    assert EmergencyAccess.select().count() == 0


def test_emergency_access_opens_the_case_until_the_end_of_the_day_and_is_audited(
    admin: Actor, cipondoh_case: str, karawaci: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    detail = privacy.view_case_emergency(karawaci, cipondoh_case, REASON)
    assert detail.number == cipondoh_case and detail.client.name == "Ibu Sari"
    row = AuditLog.get(AuditLog.action == "case.emergency")
    assert (row.username, row.case_number, row.detail) == ("okar", cipondoh_case, REASON)
    assert AuditLog.get(AuditLog.action == "case.view").case_number == cipondoh_case
    # Later the same day the case opens again without asking; other cases stay closed.
    assert privacy.view_case(karawaci, cipondoh_case).number == cipondoh_case
    other = cases.register_case(admin, name="Ibu Ani", kelurahan="Kenanga", category=8)
    with pytest.raises(OutOfScope):
        privacy.view_case(karawaci, other.case.number)
    # Writes stay scoped: the grant is for reading.
    with pytest.raises(PermissionDenied, match="scope"):
        cases.add_note(karawaci, cipondoh_case, "catatan")
    # Lists stay scoped too.
    assert case_queries.list_cases(karawaci) == []
    # The next day it is gone.
    tomorrow = dt.datetime.combine(clock.today() + dt.timedelta(days=1), dt.time(0, 0, 1))
    monkeypatch.setattr(clock, "now", lambda: tomorrow)
    with pytest.raises(OutOfScope):
        privacy.view_case(karawaci, cipondoh_case)


def test_emergency_access_within_scope_grants_nothing(admin: Actor, cipondoh_case: str) -> None:
    supervisor = make_user(admin, "sari", "supervisor")
    assert privacy.view_case_emergency(supervisor, cipondoh_case, REASON).number == cipondoh_case
    assert EmergencyAccess.select().count() == 0


def test_supervisors_see_every_emergency_access(
    admin: Actor, cipondoh_case: str, karawaci: Actor
) -> None:
    privacy.view_case_emergency(karawaci, cipondoh_case, REASON)
    supervisor = make_user(admin, "sari", "supervisor")
    grants = emergency.list_grants(supervisor)
    assert [(g.username, g.case_number, g.kecamatan_name, g.reason) for g in grants] == [
        ("okar", cipondoh_case, "Cipondoh", REASON)
    ]
    assert grants[0].expires_at == dt.datetime.combine(
        clock.today() + dt.timedelta(days=1), dt.time()
    )
    assert [g.case_number for g in dashboard.figures(supervisor).emergency] == [cipondoh_case]
    with pytest.raises(PermissionDenied):
        emergency.list_grants(karawaci)
    assert dashboard.figures(karawaci).emergency == []
