"""Search and lists at scale: the full-text case index (SQLite FTS5, kept in step by triggers)
and covering indexes for what the case list, the dashboard and the reports count.

The FTS statements live in psm_tui.store.search (a backend module: dialect SQL allowed),
frozen there as CASE_SEARCH_CREATE / CASE_SEARCH_DROP. Every index below was chosen from a
measured plan at a million cases (bench/README.md).
"""
from psm_tui.store import search as backend

INDEXES = (
    # open/overdue follow-up counts of one page of cases
    ('follow_up', ('case_id', 'status')),
    # dashboard: open and unassigned cases per kecamatan, answered from the index alone
    ('case', ('kelurahan_code', 'status', 'worker_id')),
    # dashboard: "my queue" (open cases I registered, by priority) and its count
    ('case', ('created_by_id', 'status', 'priority', 'reported_at')),
    # reports: open cases by kelurahan, PSM and category
    ('case', ('status', 'kelurahan_code', 'worker_id', 'category_code')),
    # dashboard and reports: follow-ups per OPD, due and answered
    ('follow_up', ('opd_code', 'status', 'due_on', 'created_at', 'responded_at')),
)


def up(migrator, db):
    backend.create_case_search(db)
    migrator.migrate(*[migrator.add_index(table, columns, False) for table, columns in INDEXES])


def down(migrator, db):
    migrator.migrate(*[migrator.drop_index(table, '_'.join((table,) + columns))
                       for table, columns in INDEXES])
    backend.drop_case_search(db)
