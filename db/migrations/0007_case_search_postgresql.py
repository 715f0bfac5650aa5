"""PostgreSQL: search by words like SQLite's FTS5 (prefixes, phrases, diacritics folded) with a
tsvector per case, kept in step by triggers, in place of 0004's trigram indexes. Nothing to do
on SQLite. The statements live in psm_tui.store.search, frozen as CASE_SEARCH_PG_TSV_*.
"""
from psm_tui.store import search as backend_search


def up(migrator, db):
    backend_search.create_pg_case_search(db)


def down(migrator, db):
    backend_search.drop_pg_case_search(db)
