"""PostgreSQL: the case indexes the dashboard and the Laporan count from end in id, so their
counts are index-only scans. Every count carries the pending-import filter on ``id``
(core/pending_imports.visible); an index without it sends PostgreSQL to the heap for each
matching row (the dashboard's open cases per kecamatan at 1M: 30,000 heap pages, 185 ms ->
24 ms; bench/notes/pgbench.md, "pgviews"). Nothing to do on SQLite, whose indexes end in the
rowid already.

The OPD figures get PostgreSQL's counterpart of migration 0006's SQLite index, under the same
name: follow-ups by OPD, status and the days to the answer as the PostgreSQL dialect spells
them, so the groups are read off the index in order (no hashing of 633,000 rows; 270 -> 120 ms).
The columns the expression reads are included too: PostgreSQL scans an expression index
index-only only when the plain columns are in it.

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

ANSWER_DAYS_INDEX = "follow_up_opd_status_answer_days"
ANSWER_DAYS_CREATE = (
    f"CREATE INDEX IF NOT EXISTS {ANSWER_DAYS_INDEX} ON follow_up (opd_code, status, "
    "(CAST(responded_at AS date) - CAST(created_at AS date))) "
    "INCLUDE (due_on, created_at, responded_at)"
)


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        return
    for old, _columns, new, columns in INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS {new} ON "case" ({columns})')
        db.execute_sql(f"DROP INDEX IF EXISTS {old}")
    db.execute_sql(ANSWER_DAYS_CREATE)


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        return
    db.execute_sql(f"DROP INDEX IF EXISTS {ANSWER_DAYS_INDEX}")
    for old, columns, new, _columns in INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS {old} ON "case" ({columns})')
        db.execute_sql(f"DROP INDEX IF EXISTS {new}")
