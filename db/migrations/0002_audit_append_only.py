"""Audit log append-only: the database itself refuses UPDATE and DELETE on audit_log.

No table changes, so no frozen models: the triggers (SQLite) or trigger function (PostgreSQL) are
backend-specific SQL and live in psm_tui.store.backend.
"""
from psm_tui.store import backend


def up(migrator, db):
    backend.install_audit_guard(db)


def down(migrator, db):
    backend.remove_audit_guard(db)
