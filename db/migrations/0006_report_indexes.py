"""Indexes for the reports (psm summary, the Laporan view, the monthly report) at a million cases.

The OPD figures index is on an expression in SQLite's date functions, so it lives in
psm_tui.store.reports (frozen there as _SQLITE_ANSWER_DAYS_CREATE; nothing on PostgreSQL, which
aggregates by hashing). Both were chosen from measured plans at a million cases (bench/README.md).
"""
from psm_tui.store import reports as backend_reports

INDEXES = (
    # reports with a period: cases resolved or closed in it, per kelurahan, from the index alone
    ('case', ('status', 'closed_at', 'kelurahan_code')),
)


def up(migrator, db):
    backend_reports.create_answer_days_index(db)
    migrator.migrate(*[migrator.add_index(table, columns, False) for table, columns in INDEXES])


def down(migrator, db):
    migrator.migrate(*[migrator.drop_index(table, '_'.join((table,) + columns))
                       for table, columns in INDEXES])
    backend_reports.drop_answer_days_index(db)
