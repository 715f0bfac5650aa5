"""``import_file(actor, "workers", ...)``: the PSM/TKSK roster as TKSK and IPSM keep it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from psm_tui.core import workers
from psm_tui.core.dto import Actor
from psm_tui.core.errors import PermissionDenied
from psm_tui.core.imports.run import ImportResult
from psm_tui.store.models import AuditLog, ImportRecord, Worker
from tests.conftest import make_user
from tests.files import import_path

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
ROSTER_REFUSALS = [
    (6, "NIK", "Same NIK as row 4"),
    (7, "Kelurahan", "A PSM needs a kelurahan"),
    (9, "Kelurahan", "Kel. Sumur Pacing, Kec. Karawaci is not in Kec. Cipondoh"),
    (10, "Kecamatan", "This kecamatan already has an active TKSK"),
    (
        11,
        "Kelurahan",
        "Unknown kelurahan Pors Plawad. Did you mean: Kel. Poris Plawad, "
        "Kec. Cipondoh; Kel. Poris Plawad Utara, Kec. Cipondoh; Kel. Poris Plawad "
        "Indah, Kec. Cipondoh?",
    ),
]


def run(actor: Actor, name: str, **options: bool) -> ImportResult:
    return import_path(actor, "workers", FIXTURES / name, **options)


def refusals(result: ImportResult) -> list[tuple[int, str, str]]:
    return [(r.row, r.column, r.reason) for r in result.refusals]


def test_roster_with_title_row_imports_exactly_the_good_rows(admin: Actor) -> None:
    result = run(admin, "workers_roster.csv", skip_invalid=True)
    assert (result.rows, result.imported) == (8, 3)
    assert refusals(result) == ROSTER_REFUSALS
    assert result.ignored_columns == ["No"]
    rows = {w.name: w for w in Worker.select()}
    assert set(rows) == {"Ahmad Fauzi", "Rina Marlina", "Tuti Alawiyah"}
    ahmad = rows["Ahmad Fauzi"]
    assert (ahmad.kind, ahmad.nik, ahmad.phone, ahmad.kelurahan_code, ahmad.kecamatan_code) == (
        "psm",
        "3671051203850002",
        "081234567890",
        "36.71.05.1008",
        "36.71.05",
    )
    assert (ahmad.joined_on, ahmad.active) == (dt.date(2015, 2, 1), True)
    rina = rows["Rina Marlina"]
    assert (rina.kind, rina.kelurahan_code, rina.kecamatan_code, rina.phone) == (
        "tksk",
        None,
        "36.71.05",
        "081234567891",
    )
    tuti = rows["Tuti Alawiyah"]
    assert (tuti.active, workers.get_worker(tuti.id).inactive_reason, tuti.kelurahan_code) == (
        False,
        "inactive in the imported roster",
        "36.71.05.1005",
    )
    audited = AuditLog.select().where(AuditLog.action == "worker.import")
    assert sorted(int(a.entity_id) for a in audited) == sorted(w.id for w in rows.values())


def test_roster_is_all_or_nothing_and_a_rerun_adds_nothing(admin: Actor) -> None:
    blocked = run(admin, "workers_roster.csv")
    assert blocked.blocked and Worker.select().count() == 0
    assert ImportRecord.select().count() == 0
    run(admin, "workers_roster.csv", skip_invalid=True)
    again = run(admin, "workers_roster.csv", skip_invalid=True)
    assert (again.imported, again.already_imported) == (0, 3)
    assert Worker.select().count() == 3
    # Row 6 now meets the worker row 4 created, not just row 4 of the file.
    assert refusals(again)[0] == (
        6,
        "NIK",
        "A worker with NIK 3671051203850002 already exists (ID 1, Ahmad Fauzi)",
    )


def test_existing_roster_members_are_duplicates(admin: Actor) -> None:
    workers.add_worker(admin, kind="tksk", name="Hendra", kecamatan="Cipondoh")
    workers.add_worker(admin, kind="psm", name="Tuti  alawiyah", kelurahan="Kenanga")
    result = run(admin, "workers_roster.csv", skip_invalid=True)
    assert result.imported == 1
    by_row = {r.row: r.reason for r in result.refusals}
    assert by_row[5] == "This kecamatan already has an active TKSK"
    assert by_row[8] == "Tuti Alawiyah is already on the roster (worker ID 2)"


def test_utf16_tab_separated_export(admin: Actor) -> None:
    result = run(admin, "workers_utf16_tab.txt")
    assert (result.encoding, result.delimiter, result.imported) == ("utf-16", "\t", 2)
    erna = Worker.get(Worker.name == "Érna Sari")
    assert (erna.kind, erna.kelurahan_code, erna.phone) == ("psm", "36.71.05.1006", "081399990000")


def test_only_admins_import_the_roster(admin: Actor) -> None:
    operator = make_user(admin, "operator1", "operator")
    with pytest.raises(PermissionDenied):
        run(operator, "workers_utf16_tab.txt")
    assert Worker.select().count() == 0
