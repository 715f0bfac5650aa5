"""Issue 14, "text translated when saved": the timeline is stored as facts and worded in the
reader's language, whatever language the writer used; migration 0010 converts old sentences."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from psm_tui.cli import main
from psm_tui.core import assignment, case_queries, cases, followups, timeline, workers
from psm_tui.core.dto import Actor
from psm_tui.i18n import set_language
from psm_tui.store import database
from psm_tui.store.database import db
from psm_tui.store.models import Activity, AuditLog, Worker
from tests.files import import_path

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"

ENGLISH = [
    "new",
    "Ani Rahayu: fewest open cases among the PSM of Kel. Poris Plawad (0)",
    "Sudah dikunjungi",
    "in progress",
    "to Satpol PP: Jangkau (due 5 May 2099)",
    "resolved: Dapat PBI-JK",
]
INDONESIAN = [
    "baru",
    "Ani Rahayu: kasus terbuka paling sedikit di antara PSM Kel. Poris Plawad (0)",
    "Sudah dikunjungi",
    "ditangani",
    "ke Satpol PP: Jangkau (tenggat 5 Mei 2099)",
    "selesai: Dapat PBI-JK",
]


def write_case(actor: Actor, lang: str) -> str:
    """A case whose whole timeline is written by a session in ``lang``."""
    set_language(lang)
    workers.add_worker(actor, kind="psm", name="Ani Rahayu", kelurahan="Poris Plawad")
    number = cases.register_case(
        actor, name="Ibu Sari", kelurahan="Poris Plawad", category=8
    ).case.summary.number
    assignment.assign_case(actor, number, auto=True)
    cases.add_note(actor, number, "Sudah dikunjungi", kind="kunjungan")
    cases.change_status(actor, number, "ditangani")
    followups.create_followup(actor, number, opd="Satpol PP", action="Jangkau", due="2099-05-05")
    cases.change_status(actor, number, "selesai", outcome="Dapat PBI-JK")
    return number


def timeline_in(actor: Actor, number: str, lang: str) -> list[str]:
    set_language(lang)
    return [a.text for a in case_queries.case_detail(actor, number).activities]


def show_json(location: str, number: str, lang: str) -> list[str]:
    """``psm --lang LANG case show NUMBER --json`` through the real entry point."""
    with CliRunner().isolation() as (out, err, _):
        try:
            main(["--lang", lang, "--db", location, "case", "show", number, "--json"])
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        sys.stdout.flush()
    assert code == 0, err.getvalue().decode()
    shown = json.loads(out.getvalue().decode())
    assert [n["text"] for n in shown["notes"]] == ["Sudah dikunjungi"]  # typed text, verbatim
    return [entry["text"] for entry in shown["timeline"]]


@pytest.mark.parametrize(
    ("writer", "reader", "expected"), [("en", "id", INDONESIAN), ("id", "en", ENGLISH)]
)
def test_the_reader_sees_the_timeline_in_their_language(
    admin: Actor, initialised: Path, writer: str, reader: str, expected: list[str]
) -> None:
    number = write_case(admin, writer)
    assert timeline_in(admin, number, reader) == expected
    assert timeline_in(admin, number, writer) == (ENGLISH if writer == "en" else INDONESIAN)
    assert show_json(str(initialised), number, reader) == expected
    kinds = [a.kind for a in Activity.select().order_by(Activity.id)]
    assert kinds == ["status", "penugasan", "kunjungan", "status", "rujukan", "status"]


def test_stored_rows_hold_codes_and_typed_text_not_sentences(admin: Actor) -> None:
    number = write_case(admin, "en")
    stored = [json.loads(a.data) for a in Activity.select().order_by(Activity.id)]
    assert stored[0] == {"event": "status", "to": "baru"}
    assert stored[2] == {"event": "note", "text": "Sudah dikunjungi"}
    assert stored[-1] == {
        "event": "status",
        "from": "ditangani",
        "to": "selesai",
        "outcome": "Dapat PBI-JK",
    }
    assign = AuditLog.get(AuditLog.action == "case.assign", AuditLog.case_number == number)
    assert json.loads(assign.detail)["event"] == "auto.kelurahan"  # a fact, not a sentence
    set_language("id")
    assert case_queries.case_detail(admin, number).assignments[0].reason.startswith("kasus ")


# (kind, English sentence, Indonesian sentence, the fact both become)
OLD_ROWS = [
    ("status", "new", "baru", {"event": "status", "to": "baru"}),
    (
        "status",
        "resolved: Dapat PBI-JK",
        "selesai: Dapat PBI-JK",
        {"event": "status", "to": "selesai", "outcome": "Dapat PBI-JK"},
    ),
    (
        "status",
        "reopened: kondisi memburuk",
        "dibuka kembali: kondisi memburuk",
        {"event": "status", "to": "ditangani", "reopen": True, "reason": "kondisi memburuk"},
    ),
    (
        "status",
        "new: imported from a.csv, row 4; the file said in progress: assign a PSM",
        "baru: diimpor dari a.csv, baris 4; berkas menyebut ditangani: tugaskan PSM",
        {
            "event": "import",
            "status": "baru",
            "file": "a.csv",
            "row": 4,
            "file_status": "ditangani",
        },
    ),
    ("triase", "priority: high", "prioritas: tinggi", {"event": "priority", "to": "tinggi"}),
    (
        "triase",
        "category: Gelandangan",
        "kategori: Gelandangan",
        {"event": "category", "name": "Gelandangan"},
    ),
    (
        "rujukan",
        "to Satpol PP: Jangkau (due 5 May 2026)",
        "ke Satpol PP: Jangkau (tenggat 5 Mei 2026)",
        {"event": "followup", "opd_name": "Satpol PP", "action": "Jangkau", "due": "2026-05-05"},
    ),
    (
        "rujukan",
        "Satpol PP: rejected - bukan wewenang",
        "Satpol PP: ditolak - bukan wewenang",
        {
            "event": "followup_status",
            "opd": "Satpol PP",
            "status": "ditolak",
            "text": "bukan wewenang",
        },
    ),
    (
        "penugasan",
        "Ani: hand-over: Budi left: pindah; chosen by Test Admin",
        "Ani: pengalihan: Budi keluar: pindah; dipilih oleh Test Admin",
        {
            "event": "assign",
            "worker_name": "Ani",
            "why": {
                "event": "handover",
                "why": {"event": "left", "name": "Budi", "reason": "pindah"},
                "basis": {"event": "chosen", "user": "Test Admin"},
            },
        },
    ),
    (
        "catatan",
        "[/bold] apa saja",
        "[/bold] apa saja",
        {"event": "note", "text": "[/bold] apa saja"},
    ),
    ("rujukan", "ke DINKES", "ke DINKES", {"event": "legacy", "text": "ke DINKES"}),
]


def test_migration_0010_turns_sentences_of_both_languages_into_facts(admin: Actor) -> None:
    made = cases.register_case(admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8)
    case_id = case_queries.case_row(made.case.summary.number).id
    assert database.runner().down("0010_timeline_facts")[-1] == "0010_timeline_facts"
    sql = "INSERT INTO activity (case_id, kind, text, at) VALUES ({0}, {0}, {0}, {0})"
    for kind, english, indonesian, _fact in OLD_ROWS:
        for text in (english, indonesian):
            db.execute_sql(sql.format(db.obj.param), (case_id, kind, text, "2026-01-01 10:00:00"))
    assert "0010_timeline_facts" in database.runner().up()
    rows = list(Activity.select().order_by(Activity.id))
    assert json.loads(rows[0].data) == {"event": "status", "to": "baru"}  # the new one, kept
    converted = [json.loads(r.data) for r in rows[1:]]
    assert converted == [f for *_texts, f in OLD_ROWS for _lang in (1, 2)]
    for lang, column in (("en", 1), ("id", 2)):
        set_language(lang)
        worded = [timeline.render(r.data) for r in rows[1::2]]
        expected = [row[column] for row in OLD_ROWS]
        assert worded == expected


def test_a_roster_import_stores_the_inactive_reason_as_a_fact_worded_when_read(
    admin: Actor,
) -> None:
    """Imported in English, read in Indonesian (and back); a typed reason stays verbatim."""
    set_language("en")
    import_path(admin, "workers", FIXTURES / "workers_roster.csv", skip_invalid=True)
    tuti = Worker.get(Worker.name == "Tuti Alawiyah")
    assert json.loads(tuti.inactive_reason) == {"event": "roster.inactive"}
    set_language("id")
    assert (
        workers.get_worker(tuti.id).inactive_reason == "nonaktif dalam daftar petugas yang diimpor"
    )
    set_language("en")
    assert workers.get_worker(tuti.id).inactive_reason == "inactive in the imported roster"


def test_migration_0011_turns_the_import_sentence_of_either_language_into_the_fact(
    admin: Actor,
) -> None:
    made = [
        workers.add_worker(admin, name=name, kelurahan="Poris Plawad", kind="psm")
        for name in ("Ani", "Budi", "Citra")
    ]
    assert database.runner().down("0011_worker_reason_facts")[-1] == "0011_worker_reason_facts"
    texts = [
        "inactive in the imported roster",
        "nonaktif dalam daftar petugas yang diimpor",
        "pindah",
    ]
    for worker, text in zip(made, texts, strict=True):
        Worker.update(active=False, inactive_reason=text).where(Worker.id == worker.id).execute()
    assert "0011_worker_reason_facts" in database.runner().up()
    stored = [Worker.get_by_id(w.id).inactive_reason for w in made]
    assert stored == ['{"event":"roster.inactive"}'] * 2 + ["pindah"]
