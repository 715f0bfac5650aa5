"""The attack of issue 13 on a staff-group database, done with plain ``sqlite3`` as a curious
viewer did it: drop the audit triggers, make oneself admin, delete audit rows (or edit one),
recreate the triggers. ``psm check`` and ``psm audit verify --anchor`` must then fail, naming the
first broken row. Run through ``psm_tui.cli.main``, the real entry point."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from psm_tui import config
from psm_tui.cli import main
from psm_tui.core import cases, setup, users
from psm_tui.core.errors import PermissionDenied
from psm_tui.i18n import format_datetime
from psm_tui.store import database
from psm_tui.store.models import AuditLog
from tests.cli.test_admin_cli import Result, Run
from tests.conftest import make_user

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A staff-group database (0660 in a setgid folder) with some work on it and a viewer, vera,
    whose refused attempts are in the audit log between other people's rows."""
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o2770)
    system = tmp_path / "config.toml"
    system.write_text("service_group_mode = true\n")
    monkeypatch.setattr(config, "SYSTEM_CONFIG", system)
    monkeypatch.setenv("COLUMNS", "250")  # the check table on one line per item
    path = folder / "psm.db"
    database.open_database(str(path), group_shared=True)
    setup.initialise("Test Admin")
    admin = users.actor_for("tester")
    vera = make_user(admin, "vera", "viewer")
    number = cases.register_case(
        admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8
    ).case.number
    for n in range(3):
        with pytest.raises(PermissionDenied):
            cases.add_note(vera, number, f"attempt {n}")
        cases.add_note(admin, number, f"kunjungan {n}")
    database.close_database()
    yield path


@pytest.fixture
def psm(shared: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            main(["--lang", "en", "--db", str(shared), *args])
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def sqlite3_session(
    path: Path, *statements: str, rewrite: Callable[[sqlite3.Connection], None] | None = None
) -> None:
    """What the viewer typed in ``sqlite3 psm.db``: triggers dropped, role raised, the audit log
    changed, the triggers recreated exactly as they were."""
    conn = sqlite3.connect(path, isolation_level=None)
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
    ).fetchall()
    assert len(triggers) == 2
    for name, _sql in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.execute("UPDATE staff_user SET role = 'admin' WHERE username = 'vera'")
    for statement in statements:
        conn.execute(statement)
    if rewrite is not None:
        rewrite(conn)
    for _name, sql in triggers:
        conn.execute(sql)
    conn.close()


def rows(path: Path) -> list[tuple[int, str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, at, username FROM audit_log ORDER BY id").fetchall()
    finally:
        conn.close()


def named(row: tuple[int, str, str]) -> str:
    """How psm names a row: ``row 12 (4 Dec 2026 10:00, tester)``."""
    from datetime import datetime

    return f"row {row[0]} ({format_datetime(datetime.fromisoformat(row[1]))}, {row[2]})"


def check(psm: Run) -> tuple[Result, dict[str, dict[str, object]], dict[str, object]]:
    text = psm("check")
    document = json.loads(psm("check", "--json").out)
    return text, {c["name"]: c for c in document["checks"]}, document


def test_trigger_drop_delete_recreate_is_caught_by_check(psm: Run, shared: Path) -> None:
    before, items, document = check(psm)
    assert before.code == 0, before.out
    anchor = "{id}:{hash}".format(**document["audit_head"])
    assert f"Audit log head: {anchor}" in before.out
    everything = rows(shared)
    deleted = [r for r in everything if r[2] == "vera"]
    assert len(deleted) == 3 and deleted[-1] != everything[-1]  # not the tail: rows follow

    sqlite3_session(shared, "DELETE FROM audit_log WHERE username = 'vera'")

    first = deleted[0][0]
    after_gap = next(r for r in everything if r[0] == first + 1)
    expected = f"audit row {first} is missing before {named(after_gap)}"
    after, items, document = check(psm)
    assert after.code == 1
    assert items["audit_chain"] == {"name": "audit_chain", "ok": False, "detail": expected}
    assert [name for name, item in items.items() if not item["ok"]] == ["audit_chain"]
    assert items["audit_guard"]["ok"]  # the triggers are back: that check alone says fine
    assert re.search(rf"PROBLEM +audit log hash chain +{re.escape(expected)}", after.out)
    assert document["audit_head"] is None

    verify = psm("audit", "verify", "--anchor", anchor)
    assert (verify.code, verify.out) == (12, "")
    assert verify.err == f"psm: The audit log was tampered with: {expected}\n"


def test_an_edited_row_is_caught_by_check(psm: Run, shared: Path) -> None:
    target = rows(shared)[4]
    sqlite3_session(shared, f"UPDATE audit_log SET detail = 'nothing' WHERE id = {target[0]}")
    result, items, _document = check(psm)
    assert result.code == 1
    assert items["audit_chain"]["detail"] == (
        f"{named(target)} does not match its hash: it was changed, or a row before it was removed"
    )


def rehash_everything(conn: sqlite3.Connection) -> None:
    """A thorough tamperer: renumber the rows left and recompute every hash."""
    left = conn.execute(
        "SELECT at, username, action, entity, entity_id, case_number, changes, detail"
        " FROM audit_log ORDER BY id"
    ).fetchall()
    conn.execute("DELETE FROM audit_log")
    previous = "0" * 64
    for new_id, values in enumerate(left, start=1):
        text = json.dumps([new_id, *values], ensure_ascii=False, separators=(",", ":"))
        previous = hashlib.sha256((previous + text).encode()).hexdigest()
        conn.execute(
            "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (new_id, *values, previous),
        )


def test_a_rewritten_log_passes_check_but_not_the_anchor(psm: Run, shared: Path) -> None:
    """Why the head is kept off the server: a consistent rewrite is only visible against it."""
    _before, _items, document = check(psm)
    head = document["audit_head"]
    anchor = "{id}:{hash}".format(**head)
    sqlite3_session(
        shared, "DELETE FROM audit_log WHERE username = 'vera'", rewrite=rehash_everything
    )
    assert psm("check").code == 0  # nothing inside the file can tell any more
    verify = psm("audit", "verify", "--anchor", anchor)
    assert verify.code == 12
    assert verify.err == (
        f"psm: The audit log ends at row {head['id'] - 3}, before the anchor's row {head['id']}:"
        " rows were removed, or the anchor is from another database\n"
    )
    verify = psm("audit", "verify", "--anchor", head["hash"])
    assert verify.err == (
        f"psm: No audit row has the hash {head['hash']}: the anchor is mistyped, or the log up to"
        " it was rewritten\n"
    )


def test_verify_with_a_good_anchor_after_more_work(psm: Run, shared: Path) -> None:
    _before, _items, document = check(psm)
    anchor = "{id}:{hash}".format(**document["audit_head"])
    database.open_database(str(shared), group_shared=True)
    cases.register_case(users.actor_for("tester"), name="Pak Budi", kelurahan="Kenanga", category=3)
    head = AuditLog.select().order_by(AuditLog.id.desc()).get()
    database.close_database()
    result = psm("audit", "verify", "--anchor", anchor)
    assert (result.code, result.err) == (0, ""), result.err
    assert result.out == (
        f"Audit log intact: {head.id} rows, head {head.id}:{head.row_hash}\n"
        f"Nothing up to and including row {document['audit_head']['id']} has changed since the"
        " anchor.\n"
    )
    unknown = psm("audit", "verify", "--anchor", "0" * 64)
    assert unknown.code == 12
    assert unknown.err.startswith("psm: No audit row has the hash 0000")
    malformed = psm("audit", "verify", "--anchor", "12:abc")
    assert (malformed.code, malformed.err) == (
        1,
        "psm: An anchor is the 64 hex digits of a hash, or ID:HASH as psm prints it\n",
    )
