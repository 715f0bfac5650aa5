"""Audit log append-only: the database itself refuses UPDATE and DELETE on audit_log.

No table changes, so no frozen models: the triggers (SQLite) or trigger function (PostgreSQL)
are frozen below as of this migration (self-contained: no psm_tui import, so a later change of
the live code cannot change history).
"""
from peewee import SqliteDatabase

SQLITE_GUARD = (
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)
SQLITE_UNGUARD = (
    "DROP TRIGGER IF EXISTS audit_log_no_update",
    "DROP TRIGGER IF EXISTS audit_log_no_delete",
)
PG_GUARD = (
    "CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()",
)
PG_UNGUARD = (
    "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    "DROP FUNCTION IF EXISTS audit_log_refuse_change()",
)


def _run(db, sqlite, postgresql):
    for sql in sqlite if isinstance(db, SqliteDatabase) else postgresql:
        db.execute_sql(sql)


def up(migrator, db):
    _run(db, SQLITE_GUARD, PG_GUARD)


def down(migrator, db):
    _run(db, SQLITE_UNGUARD, PG_UNGUARD)
