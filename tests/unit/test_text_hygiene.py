"""One text rule for every way text comes in: login names, names, notes, follow-ups, imports.

Each test is one attack of issue 13: a lookalike login, a bidi override or zero-width character in
a name or note, an escape byte in a note, the same through an import file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from psm_tui.core import cases, followups, timeline, users
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ValidationError
from psm_tui.ops import ssh_keys
from psm_tui.store.models import Activity, AuditLog, Case, Client, FollowUp, StaffUser
from tests.files import import_path

LOOKALIKES = {
    "zero-width space": "root\u200b",
    "zero-width joiner inside": "ro\u200dot",
    "right-to-left override": "\u202etoor",
    "left-to-right mark": "root\u200e",
    "Cyrillic o": "r\u043e\u043et",
    "upper case": "Root",
    "trailing newline": "root\n",
    "escape sequence": "root\x1b[8m",
}


@pytest.fixture
def number(admin: Actor) -> str:
    return cases.register_case(
        admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8
    ).case.number


@pytest.mark.parametrize("name", LOOKALIKES.values(), ids=LOOKALIKES.keys())
def test_a_lookalike_login_cannot_be_registered(admin: Actor, name: str) -> None:
    users.add_user(admin, "root", "viewer")
    with pytest.raises(ValidationError, match=r"^User name \S+ is not allowed: it contains"):
        users.add_user(admin, name, "admin")
    assert [u.username for u in StaffUser.select().order_by(StaffUser.id)] == ["tester", "root"]


def test_a_lookalike_login_already_stored_is_not_found_by_as_or_by_name(
    admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row from before the rule (or written behind psm's back) cannot be acted as."""
    StaffUser.create(username="root\u200b", full_name="Root", role="admin")
    monkeypatch.setattr(users, "os_username", lambda: "psm")
    with pytest.raises(ValidationError, match=r"User name root\\u200b is not allowed.*U\+200B"):
        users.resolve_actor("root\u200b", "psm")
    refusal = AuditLog.get(AuditLog.action == "refused")
    assert (refusal.username, refusal.entity, refusal.detail) == (
        "psm",
        "identity",
        "--as root\\u200b",
    )
    with pytest.raises(ValidationError, match="User name"):
        users.actor_for("root\u200b")


def test_ssh_authorize_refuses_a_lookalike_name(admin: Actor, tmp_path: Path) -> None:
    keys = tmp_path / "authorized_keys"
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    with pytest.raises(ValidationError, match=r"User name tester\\u200b is not allowed"):
        ssh_keys.authorize(admin, "tester\u200b", key, keys)
    assert not keys.exists()


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Siti \u202eanimA", r"Name: the invisible text-direction character U\+202E"),
        ("Siti \u2066Aminah", r"Name: the invisible text-direction character U\+2066"),
        ("Siti\x1b[8m Aminah", r"Name: the control character \\x1b is not allowed"),
        ("Siti\nAminah", r"Name: the control character \\n is not allowed"),
        ("Siti\tAminah", r"Name: the control character \\t is not allowed"),
    ],
)
def test_a_client_name_refuses_bidi_and_control_characters(
    admin: Actor, name: str, reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason) as refused:
        cases.register_case(admin, name=name, kelurahan="Poris Plawad", category=8)
    assert refused.value.field == "name"
    assert Client.select().count() == 0


def test_zero_width_characters_are_dropped_from_names_and_notes(admin: Actor) -> None:
    detail = cases.register_case(
        admin,
        name="Siti\u200b Ami\u200cnah\ufeff",
        kelurahan="Poris Plawad",
        category=8,
        address="Jl.\u2060 Kenanga",
    )
    assert (Client.get().name, Client.get().address) == ("Siti Aminah", "Jl. Kenanga")
    cases.add_note(admin, detail.case.number, "Sudah\u200b dikunjungi\u200d")
    assert timeline.render(Activity.get(Activity.kind == "catatan").data) == "Sudah dikunjungi"


def test_a_note_refuses_escape_and_bidi_but_keeps_lines_and_tabs(admin: Actor, number: str) -> None:
    with pytest.raises(ValidationError, match=r"^Text: the control character \\x1b is not"):
        cases.add_note(admin, number, "lihat \x1b]0;pwned\x07 ini")
    with pytest.raises(ValidationError, match=r"^Text: the invisible text-direction .* U\+202E"):
        cases.add_note(admin, number, "bayar \u202e000.01 pR")
    assert Activity.select().where(Activity.kind == "catatan").count() == 0
    cases.add_note(admin, number, "baris satu\r\n\tbaris dua")
    assert (
        timeline.render(Activity.get(Activity.kind == "catatan").data) == "baris satu\n\tbaris dua"
    )


def test_follow_up_texts_and_reasons_follow_the_same_rule(admin: Actor, number: str) -> None:
    with pytest.raises(ValidationError, match=r"^Requested action: the invisible .* U\+200F"):
        followups.create_followup(admin, number, opd="DINKES", action="Daftar\u200f PBI")
    made = followups.create_followup(admin, number, opd="DINKES", action="Daftar\u200b PBI")
    assert FollowUp.get_by_id(made.id).action == "Daftar PBI"
    with pytest.raises(ValidationError, match=r"^Response: the control character \\x9b"):
        followups.update_followup(admin, made.id, "diterima", response="ok\x9b31m")
    with pytest.raises(ValidationError, match=r"^Reason: the invisible .* U\+061C"):
        cases.change_status(admin, number, "ditutup", reason="duplikat\u061c")
    assert Case.get(Case.number == number).status == "baru"
    with pytest.raises(ValidationError, match=r"^Full name: the invisible .* U\+202D"):
        users.add_user(admin, "budi", "viewer", full_name="Budi \u202dSantoso")


def test_an_imported_row_with_such_a_name_is_refused_with_its_reason(
    admin: Actor, tmp_path: Path
) -> None:
    source = tmp_path / "kasus.csv"
    source.write_text(
        "Nama,Kelurahan,Kategori,Keterangan,No HP\n"
        "Siti \u202eanimA,Poris Plawad,24,,\n"
        "Budi Santoso,Poris Plawad,24,rumah \x1b[8mrusak,\n"
        "Ani Lestari,Poris Plawad,24,,0812\x1b]0;x\x07\n"
        "Dewi\u200b Lestari,Poris Plawad,24,,\n",
        encoding="utf-8",
    )
    result = import_path(admin, "cases", source, skip_invalid=True)
    assert [(r.row, r.column, r.reason) for r in result.refusals] == [
        (2, "Nama", "Name: the invisible text-direction character U+202E is not allowed "
         "(it reorders what others read)"),
        (3, "Keterangan", "Description: the control character \\x1b is not allowed"),
        (4, "No HP", "Phone: the control character \\x1b is not allowed"),
    ]  # fmt: skip
    assert [c.name for c in Client.select()] == ["Dewi Lestari"]
