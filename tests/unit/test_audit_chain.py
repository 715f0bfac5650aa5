"""The audit log's hash chain: how each row is hashed, what verification finds, anchors, and
migration 0008 on a log that already has rows. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from psm_tui.core import audit, audit_chain, audit_verify, cases
from psm_tui.core.dto import Actor
from psm_tui.core.errors import AuditChainError, PermissionDenied, ValidationError
from psm_tui.i18n import format_datetime
from psm_tui.store import backend, database
from psm_tui.store.database import db
from psm_tui.store.models import AuditLog, Meta
from tests.conftest import make_user


def spec_hash(previous: str, row: AuditLog) -> str:
    """The documented format, computed independently of the code under test."""
    values = [row.id, str(row.at), row.username, row.action, row.entity, row.entity_id]
    values += [row.case_number, row.changes, row.detail]
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((previous + text).encode()).hexdigest()


@pytest.fixture
def ids(admin: Actor) -> list[int]:
    """A case with a note and a priority change: audit rows, some with non-ASCII text."""
    number = cases.register_case(
        admin, name="Ibu Sàri \u201cIjah\u201d", kelurahan="Poris Plawad", category=8
    ).case.number
    for n in range(4):
        cases.add_note(admin, number, f"Kunjungan {n}: rumah kosong \\ pintu terkunci")
    cases.set_priority(admin, number, "darurat")
    return [r.id for r in AuditLog.select(AuditLog.id).order_by(AuditLog.id)]


@contextlib.contextmanager
def unguarded() -> Iterator[None]:
    """What someone with the database file can do: lift the append-only triggers for a while."""
    backend.remove_audit_guard(db.obj)
    try:
        yield
    finally:
        backend.install_audit_guard(db.obj)


def anchor_of(row_id: int) -> str:
    return f"{row_id}:{AuditLog.get_by_id(row_id).row_hash}"


def test_each_row_hashes_the_previous_hash_and_its_own_fields(ids: list[int]) -> None:
    assert ids == list(range(1, len(ids) + 1))  # no gaps, from 1
    previous = "0" * 64
    for row in AuditLog.select().order_by(AuditLog.id):
        assert row.row_hash == spec_hash(previous, row), f"row {row.id}"
        previous = row.row_hash
    report = audit_chain.verify()
    assert (report.ok, report.rows) == (True, len(ids))
    assert report.head == audit_chain.ChainHead(ids[-1], previous)
    assert str(report.head) == f"{ids[-1]}:{previous}"


def test_a_rolled_back_append_leaves_no_gap(ids: list[int]) -> None:
    with contextlib.suppress(RuntimeError), db.atomic():
        audit.record("tester", "will.vanish", "test")
        raise RuntimeError
    audit.record("tester", "kept", "test")
    imported = (dt.datetime(2026, 1, 2, 3, 4, 5), "imp", "case.import", "case", "9", None)
    audit.record_rows([(*imported, '{"a": [null, 1]}', "row 2")] * 3)
    assert [r.id for r in AuditLog.select().where(AuditLog.id > ids[-1])] == [
        ids[-1] + n for n in range(1, 5)
    ]
    assert audit_chain.verify().ok


def test_an_edited_row_is_named_with_its_time_and_user(ids: list[int]) -> None:
    target = ids[3]
    with unguarded():
        AuditLog.update(detail="nothing to see").where(AuditLog.id == target).execute()
    report = audit_chain.verify()
    assert report.broken is not None
    assert (report.broken.id, report.broken.username, report.broken.reason) == (
        target,
        "tester",
        "changed",
    )
    assert report.rows == target - 1 and report.head is not None and report.head.id == target - 1
    when = format_datetime(AuditLog.get_by_id(target).at)
    assert audit_verify.break_text(report.broken) == (
        f"row {target} ({when}, tester) does not match its hash: it was changed, or a row before"
        " it was removed"
    )


def test_deleted_rows_are_named_by_the_row_after_them(ids: list[int]) -> None:
    with unguarded():
        AuditLog.delete().where(AuditLog.id.in_(ids[2:5])).execute()
    report = audit_chain.verify()
    assert report.broken is not None
    assert (report.broken.id, report.broken.reason, report.broken.missing) == (
        ids[5],
        "missing",
        (ids[2], ids[4]),
    )
    assert audit_verify.break_text(report.broken).startswith(
        f"audit rows {ids[2]}-{ids[4]} are missing before row {ids[5]} ("
    )


def test_deleting_the_first_rows_and_rehashing_the_rest_is_still_a_gap(ids: list[int]) -> None:
    with unguarded():
        AuditLog.delete().where(AuditLog.id <= 2).execute()
        previous = "0" * 64
        for row in AuditLog.select().order_by(AuditLog.id):
            previous = spec_hash(previous, row)
            AuditLog.update(row_hash=previous).where(AuditLog.id == row.id).execute()
    broken = audit_chain.verify().broken
    assert broken is not None and (broken.id, broken.missing) == (3, (1, 2))


def test_a_row_written_around_psm_has_no_hash(ids: list[int]) -> None:
    AuditLog.insert(at=dt.datetime(2026, 1, 1), username="x", action="y", entity="z").execute()
    broken = audit_chain.verify().broken
    assert broken is not None and (broken.id, broken.reason) == (ids[-1] + 1, "unhashed")
    assert "has no hash: it was written around psm" in audit_verify.break_text(broken)


def test_a_good_anchor_passes_in_both_forms(admin: Actor, ids: list[int]) -> None:
    anchor = anchor_of(ids[4])
    cases.register_case(admin, name="Pak Budi", kelurahan="Kenanga", category=3)
    for given in (anchor, anchor.split(":")[1], anchor.upper()):
        report = audit_verify.verify_log(admin, given)
        assert report.anchor_row == audit_chain.ChainHead(ids[4], anchor.split(":")[1])
        assert report.head is not None and report.head.id > ids[-1]


def test_a_change_before_the_anchor_fails_naming_the_row(admin: Actor, ids: list[int]) -> None:
    anchor = anchor_of(ids[-1])
    with unguarded():
        AuditLog.update(username="someone").where(AuditLog.id == ids[1]).execute()
    with pytest.raises(AuditChainError, match=rf"tampered with: row {ids[1]} \(.*, someone\)"):
        audit_verify.verify_log(admin, anchor)


def test_a_log_rewritten_consistently_no_longer_matches_the_anchor(
    admin: Actor, ids: list[int]
) -> None:
    """Whoever recomputes every hash after a change keeps the chain whole, not the anchor."""
    anchor = anchor_of(ids[-2])
    with unguarded():
        AuditLog.update(detail="rewritten").where(AuditLog.id == ids[1]).execute()
        previous = "0" * 64
        for row in AuditLog.select().order_by(AuditLog.id):
            previous = spec_hash(previous, row)
            AuditLog.update(row_hash=previous).where(AuditLog.id == row.id).execute()
    assert audit_chain.verify().ok
    with pytest.raises(AuditChainError, match=f"Audit row {ids[-2]} no longer has the anchored"):
        audit_verify.verify_log(admin, anchor)
    with pytest.raises(AuditChainError, match="No audit row has the hash"):
        audit_verify.verify_log(admin, anchor.split(":")[1])


def test_a_break_after_the_anchor_still_fails(admin: Actor, ids: list[int]) -> None:
    anchor = anchor_of(ids[2])
    with unguarded():
        AuditLog.update(detail="later").where(AuditLog.id == ids[-1]).execute()
    with pytest.raises(AuditChainError, match=rf"matches the anchor up to row {ids[2]}, but after"):
        audit_verify.verify_log(admin, anchor)


def test_unknown_and_malformed_anchors_are_clear_errors(admin: Actor, ids: list[int]) -> None:
    unknown = "ab" * 32
    with pytest.raises(AuditChainError) as missing:
        audit_verify.verify_log(admin, unknown)
    assert str(missing.value) == (
        f"No audit row has the hash {unknown}: the anchor is mistyped, or the log up to it was"
        " rewritten"
    )
    with pytest.raises(AuditChainError, match=f"ends at row {ids[-1]}, before the anchor's row"):
        audit_verify.verify_log(admin, f"{ids[-1] + 50}:{unknown}")
    for bad in ("1234", "xyz", "g" * 64, f"a:{unknown}"):
        with pytest.raises(ValidationError, match="An anchor is the 64 hex digits"):
            audit_verify.verify_log(admin, bad)


def test_verifying_needs_the_supervisor_role(admin: Actor, ids: list[int]) -> None:
    operator = make_user(admin, "op", "operator")
    with pytest.raises(PermissionDenied):
        audit_verify.verify_log(operator)
    assert audit_verify.verify_log(make_user(admin, "sup", "supervisor")).ok


def test_migration_0008_hashes_existing_rows_in_id_order(db_path: Path) -> None:
    database.open_database(str(db_path))
    database.runner().up("0007_case_search_postgresql")
    for n in range(1, 7):
        with contextlib.suppress(RuntimeError), db.atomic():
            AuditLog.insert(
                at=dt.datetime(2026, 1, 1, 10, n), username=f"ü{n}", action="old", entity="c"
            ).execute()
            if n == 3:  # PostgreSQL's sequence skips the id of a rolled-back insert
                raise RuntimeError
    ids = [r.id for r in AuditLog.select(AuditLog.id).order_by(AuditLog.id)]
    assert database.runner().up("0008_audit_hash_chain") == ["0008_audit_hash_chain"]
    previous = "0" * 64
    for row in AuditLog.select().order_by(AuditLog.id):
        assert row.row_hash == spec_hash(previous, row)
        previous = row.row_hash
    assert backend.audit_guard_installed(db.obj)  # the triggers are back
    gaps = [[a + 1, b - 1] for a, b in zip([0, *ids], ids, strict=False) if b != a + 1]
    stored = Meta.get_or_none(Meta.key == audit_chain.GAPS_KEY)
    assert (json.loads(stored.value) if stored else []) == gaps
    audit.record("tester", "after.migration", "test")  # continues the chain
    report = audit_chain.verify()
    assert (report.ok, report.rows) == (True, len(ids) + 1)


@pytest.mark.parametrize("batch", [1, 3, 4])
def test_the_walk_reads_in_batches_and_misses_nothing_at_their_seams(
    ids: list[int], batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_chain, "BATCH", batch)
    report = audit_chain.verify()
    assert (report.ok, report.rows) == (True, len(ids))
    seam = batch + 1  # the first row of the second batch
    with unguarded():
        AuditLog.delete().where(AuditLog.id == seam).execute()
    broken = audit_chain.verify().broken
    assert broken is not None and (broken.id, broken.missing) == (seam + 1, (seam, seam))
