"""Search and lists at scale: the full-text case index (SQLite FTS5, kept in step by triggers;
trigram indexes on PostgreSQL) and covering indexes for what the case list, the dashboard and the
reports count. Every index below was chosen from a measured plan at a million cases
(bench/README.md).

Self-contained on purpose (no psm_tui import): the statements are frozen below as of this
migration, so a later change of the live search code cannot change history.
"""
from peewee import SqliteDatabase

SQLITE_CREATE = (
    """CREATE VIEW case_search_source AS
    SELECT c.id AS id, c.number AS number, cl.name AS name, c.description AS description
    FROM "case" AS c JOIN client AS cl ON cl.id = c.client_id""",
    """CREATE VIRTUAL TABLE case_search USING fts5(
    number, name, description,
    content='case_search_source', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE TRIGGER case_search_ai AFTER INSERT ON "case" BEGIN
    INSERT INTO case_search(rowid, number, name, description)
    VALUES (new.id, new.number, (SELECT name FROM client WHERE id = new.client_id),
            new.description);
    END""",
    """CREATE TRIGGER case_search_ad AFTER DELETE ON "case" BEGIN
    INSERT INTO case_search(case_search, rowid, number, name, description)
    VALUES ('delete', old.id, old.number, (SELECT name FROM client WHERE id = old.client_id),
            old.description);
    END""",
    """CREATE TRIGGER case_search_au AFTER UPDATE OF number, client_id, description ON "case"
    BEGIN
    INSERT INTO case_search(case_search, rowid, number, name, description)
    VALUES ('delete', old.id, old.number, (SELECT name FROM client WHERE id = old.client_id),
            old.description);
    INSERT INTO case_search(rowid, number, name, description)
    VALUES (new.id, new.number, (SELECT name FROM client WHERE id = new.client_id),
            new.description);
    END""",
    """CREATE TRIGGER case_search_client_au AFTER UPDATE OF name ON client
    WHEN old.name IS NOT new.name BEGIN
    INSERT INTO case_search(case_search, rowid, number, name, description)
    SELECT 'delete', c.id, c.number, old.name, c.description FROM "case" AS c
    WHERE c.client_id = old.id;
    INSERT INTO case_search(rowid, number, name, description)
    SELECT c.id, c.number, new.name, c.description FROM "case" AS c WHERE c.client_id = new.id;
    END""",
    "INSERT INTO case_search(case_search) VALUES ('rebuild')",
)

SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS case_search_client_au",
    "DROP TRIGGER IF EXISTS case_search_au",
    "DROP TRIGGER IF EXISTS case_search_ad",
    "DROP TRIGGER IF EXISTS case_search_ai",
    "DROP TABLE IF EXISTS case_search",
    "DROP VIEW IF EXISTS case_search_source",
)

PG_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS client_name_trgm ON client USING gin (name gin_trgm_ops)",
    'CREATE INDEX IF NOT EXISTS case_number_trgm ON "case" USING gin (number gin_trgm_ops)',
    'CREATE INDEX IF NOT EXISTS case_description_trgm ON "case"'
    " USING gin (description gin_trgm_ops)",
)
PG_DROP = (
    "DROP INDEX IF EXISTS case_description_trgm",
    "DROP INDEX IF EXISTS case_number_trgm",
    "DROP INDEX IF EXISTS client_name_trgm",
)

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


def _run(db, sqlite, postgresql):
    for sql in sqlite if isinstance(db, SqliteDatabase) else postgresql:
        db.execute_sql(sql)


def up(migrator, db):
    _run(db, SQLITE_CREATE, PG_CREATE)
    migrator.migrate(*[migrator.add_index(table, columns, False) for table, columns in INDEXES])


def down(migrator, db):
    migrator.migrate(*[migrator.drop_index(table, '_'.join((table,) + columns))
                       for table, columns in INDEXES])
    _run(db, SQLITE_DROP, PG_DROP)
