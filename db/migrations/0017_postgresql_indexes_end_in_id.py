"""PostgreSQL: the case indexes a page is ordered by end in id, as every ordering does
(``reported_at DESC, id DESC``): a page deep in the list is then an index-only walk with no
sort (jump to the end of 1M cases, EXPLAIN ANALYZE: 529 -> 190 ms; bench/notes/pgbench.md).
Nothing to do on SQLite, whose indexes end in the rowid already.

Self-contained on purpose (no psm_tui import): the statements are frozen below.
"""
from peewee import SqliteDatabase

# (old index, its columns, new index, its columns)
INDEXES = (
    ("case_reported_at", "reported_at", "case_reported_at_id", "reported_at, id"),
    (
        "case_status_reported_at",
        "status, reported_at",
        "case_status_reported_at_id",
        "status, reported_at, id",
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
