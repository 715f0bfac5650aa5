"""PostgreSQL: search by words like SQLite's FTS5 (prefixes, phrases, diacritics folded) with a
tsvector per case, kept in step by triggers, in place of 0004's trigram indexes. Nothing to do
on SQLite.

psm_search_text folds diacritics (unaccent, a trusted extension) and turns every run of
punctuation into a space, as FTS5's unicode61 tokenizer does: "covid-19" is the words covid, 19
(PostgreSQL's own parser would read "-19" as a signed number).

Self-contained on purpose (no psm_tui import): the statements are frozen below as of this
migration, 0004's trigram statements included, so a later change of the live search code cannot
change history.
"""
from peewee import SqliteDatabase

TRIGRAM_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS client_name_trgm ON client USING gin (name gin_trgm_ops)",
    'CREATE INDEX IF NOT EXISTS case_number_trgm ON "case" USING gin (number gin_trgm_ops)',
    'CREATE INDEX IF NOT EXISTS case_description_trgm ON "case"'
    " USING gin (description gin_trgm_ops)",
)
TRIGRAM_DROP = (
    "DROP INDEX IF EXISTS case_description_trgm",
    "DROP INDEX IF EXISTS case_number_trgm",
    "DROP INDEX IF EXISTS client_name_trgm",
)

DOCUMENT = "to_tsvector('simple', psm_search_text({number}, {name}, {description}))"

TSV_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """CREATE OR REPLACE FUNCTION psm_search_text(VARIADIC parts text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lower(regexp_replace(unaccent('unaccent'::regdictionary,
        array_to_string(parts, ' ')), '[^[:alnum:]]+', ' ', 'g'))
    $$""",
    """CREATE TABLE case_search (
    id integer PRIMARY KEY REFERENCES "case" (id) ON DELETE CASCADE,
    doc tsvector NOT NULL)""",
    "CREATE INDEX case_search_doc ON case_search USING gin (doc)",
    f"""CREATE FUNCTION case_search_case_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
    INSERT INTO case_search (id, doc)
    SELECT NEW.id, {
        DOCUMENT.format(number="NEW.number", name="cl.name", description="NEW.description")
    }
    FROM client AS cl WHERE cl.id = NEW.client_id
    ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc;
    RETURN NULL;
    END $$""",
    """CREATE TRIGGER case_search_case AFTER INSERT OR UPDATE OF number, client_id, description
    ON "case" FOR EACH ROW EXECUTE FUNCTION case_search_case_changed()""",
    f"""CREATE FUNCTION case_search_client_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
    UPDATE case_search AS s
    SET doc = {DOCUMENT.format(number="c.number", name="NEW.name", description="c.description")}
    FROM "case" AS c WHERE c.client_id = NEW.id AND s.id = c.id;
    RETURN NULL;
    END $$""",
    """CREATE TRIGGER case_search_client AFTER UPDATE OF name ON client
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION case_search_client_renamed()""",
    f"""INSERT INTO case_search (id, doc)
    SELECT c.id, {
        DOCUMENT.format(number="c.number", name="cl.name", description="c.description")
    }
    FROM "case" AS c JOIN client AS cl ON cl.id = c.client_id""",
)
TSV_DROP = (
    "DROP TRIGGER IF EXISTS case_search_client ON client",
    "DROP FUNCTION IF EXISTS case_search_client_renamed()",
    'DROP TRIGGER IF EXISTS case_search_case ON "case"',
    "DROP FUNCTION IF EXISTS case_search_case_changed()",
    "DROP TABLE IF EXISTS case_search",
    "DROP FUNCTION IF EXISTS psm_search_text(VARIADIC text[])",
)


def _run(db, *statements):
    if isinstance(db, SqliteDatabase):
        return
    for sql in statements:
        db.execute_sql(sql)


def up(migrator, db):
    _run(db, *TRIGRAM_DROP, *TSV_CREATE)


def down(migrator, db):
    _run(db, *TSV_DROP, *TRIGRAM_CREATE)
