"""PostgreSQL: the case indexes the dashboard and the Laporan count from end in id, so their
counts are index-only scans. Every count carries the pending-import filter on ``id``
(core/pending_imports.visible); an index without it sends PostgreSQL to the heap for each
matching row (the dashboard's open cases per kecamatan at 1M: 30,000 heap pages, 185 ms ->
24 ms; bench/notes/pgbench.md, "pgviews"). Nothing to do on SQLite, whose indexes end in the
rowid already.

Self-contained on purpose (no psm_tui import): the statements are frozen below.
"""
from peewee import SqliteDatabase

# (old index, its columns, new index, its columns)
INDEXES = (
    ("case_category_code", "category_code", "case_category_code_id", "category_code, id"),
    (
        "case_kelurahan_code_status",
        "kelurahan_code, status",
        "case_kelurahan_code_status_id",
        "kelurahan_code, status, id",
    ),
    (
        "case_kelurahan_code_status_worker_id",
        "kelurahan_code, status, worker_id",
        "case_kelurahan_code_status_worker_id_id",
        "kelurahan_code, status, worker_id, id",
    ),
    (
        "case_created_by_id_status_priority_reported_at",
        "created_by_id, status, priority, reported_at",
        "case_created_by_id_status_priority_reported_at_id",
        "created_by_id, status, priority, reported_at, id",
    ),
    (
        "case_status_kelurahan_code_worker_id_category_code",
        "status, kelurahan_code, worker_id, category_code",
        "case_status_kelurahan_code_worker_id_category_code_id",
        "status, kelurahan_code, worker_id, category_code, id",
    ),
)


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        return
    for old, _columns, new, columns in INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS {new} ON "case" ({columns})')
        db.execute_sql(f"DROP INDEX IF EXISTS {old}")


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        return
    for old, columns, new, _columns in INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS {old} ON "case" ({columns})')
        db.execute_sql(f"DROP INDEX IF EXISTS {new}")
