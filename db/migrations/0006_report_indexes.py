"""Indexes for the reports (psm summary, the Laporan view, the monthly report) at a million cases.

The OPD figures index is on an expression in SQLite's date functions, the very expression
psm_tui.store.reports.days_between spells (nothing on PostgreSQL, which aggregates by hashing).
Both were chosen from measured plans at a million cases (bench/README.md).

Self-contained on purpose (no psm_tui import): the statements are frozen below as of this
migration, so a later change of the live reports code cannot change history.
"""
from peewee import SqliteDatabase

ANSWER_DAYS_INDEX = 'follow_up_opd_status_answer_days'
# The columns after the expression make it cover the query (the overdue count, a period filter).
SQLITE_ANSWER_DAYS_CREATE = (
    f"CREATE INDEX IF NOT EXISTS {ANSWER_DAYS_INDEX} ON follow_up (opd_code, status, "
    "(julianday(date(responded_at)) - julianday(date(created_at))), due_on, created_at, "
    "responded_at)"
)
SQLITE_ANSWER_DAYS_DROP = f"DROP INDEX IF EXISTS {ANSWER_DAYS_INDEX}"

INDEXES = (
    # reports with a period: cases resolved or closed in it, per kelurahan, from the index alone
    ('case', ('status', 'closed_at', 'kelurahan_code')),
)


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        db.execute_sql(SQLITE_ANSWER_DAYS_CREATE)
    migrator.migrate(*[migrator.add_index(table, columns, False) for table, columns in INDEXES])


def down(migrator, db):
    migrator.migrate(*[migrator.drop_index(table, '_'.join((table,) + columns))
                       for table, columns in INDEXES])
    if isinstance(db, SqliteDatabase):
        db.execute_sql(SQLITE_ANSWER_DAYS_DROP)
