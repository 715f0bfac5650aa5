"""What differs on PostgreSQL: the audit guard seen from a raw connection, the health check and
backups (pg_dump's job). Runs only with PSM_TEST_DATABASE_URL set; everything else in the suite
runs on both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from psm_tui.core import cases
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ValidationError
from psm_tui.ops import maintenance
from psm_tui.store import backend, drivers
from psm_tui.store.database import db
from psm_tui.store.models import AuditLog
from tests.pg_server import URL

pytestmark = pytest.mark.skipif(URL is None, reason="needs PSM_TEST_DATABASE_URL")
psycopg = drivers.load_psycopg() if URL is not None else None


@pytest.fixture
def raw(initialised: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(initialised, autocommit=True) as conn:
        yield conn


def test_the_server_itself_refuses_to_change_the_audit_log(
    admin: Actor, raw: psycopg.Connection
) -> None:
    cases.register_case(admin, name="Ibu Sari", kelurahan="Poris Plawad", category=8)
    before = raw.execute("SELECT * FROM audit_log ORDER BY id").fetchall()
    for statement in (
        "UPDATE audit_log SET username = 'someone'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(psycopg.errors.RaiseException, match="audit_log is append-only"):
            raw.execute(statement)
    assert raw.execute("SELECT * FROM audit_log ORDER BY id").fetchall() == before
    raw.execute(
        "INSERT INTO audit_log (at, username, action, entity, changes, detail)"
        " VALUES (now(), 'x', 'test.append', 'case', '{}', '')"
    )
    assert AuditLog.select().where(AuditLog.action == "test.append").count() == 1


def test_check_on_postgresql_reports_schema_and_audit_guard(initialised: str) -> None:
    report = maintenance.check_database()
    assert [(item.name, item.ok) for item in report.items] == [
        ("schema", True),
        ("audit_guard", True),
        ("audit_chain", True),
        ("nik_searches", True),
    ]
    last = AuditLog.select().order_by(AuditLog.id.desc()).get()
    assert (report.audit_head.id, report.audit_head.hash) == (last.id, last.row_hash)
    backend.remove_audit_guard(db.obj)
    items = {item.name: item for item in maintenance.check_database().items}
    assert not items["audit_guard"].ok


def test_backup_points_to_pg_dump(admin: Actor, tmp_path) -> None:
    with pytest.raises(ValidationError, match="pg_dump"):
        maintenance.backup_database(admin, tmp_path / "b.db")
    assert not (tmp_path / "b.db").exists()


def test_search_index_is_a_tsvector_per_case(admin: Actor, raw: psycopg.Connection) -> None:
    cases.register_case(
        admin,
        name="Dewi Sulistyowáti",
        kelurahan="Poris Plawad",
        category=8,
        description="Pasca covid-19",
    )
    (doc,) = raw.execute("SELECT doc::text FROM case_search").fetchone()
    assert "'sulistyowati'" in doc and "'covid'" in doc and "'19'" in doc
