"""Backend module (dialect-specific SQL allowed here): the case search index.

SQLite: an FTS5 table with external content. PostgreSQL: a ``tsvector`` table with a GIN index.
Both index the words of the client's name, the case number and the description, diacritics
folded, and both are kept in step by triggers inside the writing transaction. A search box's
text is translated into each engine's query language here: bare words are prefixes, "quoted"
phrases exact, -word excluded, OR allowed; no punctuation ever makes a query fail.
"""

from __future__ import annotations

import re

import peewee

from psm_tui.store.backend import is_sqlite

# --- Case search: SQLite FTS5 over client name, case number and description -----------------
# External content: the index reads its text from a view over case + client, and triggers on both
# tables keep it in step inside the writing transaction (a client's new name reindexes each of
# their cases). Created by migration 0004, which holds its own frozen copy; a change here must
# come with a new migration.

CASE_SEARCH_COLUMNS = ("number", "name", "description")

CASE_SEARCH_CREATE = (
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

CASE_SEARCH_DROP = (
    "DROP TRIGGER IF EXISTS case_search_client_au",
    "DROP TRIGGER IF EXISTS case_search_au",
    "DROP TRIGGER IF EXISTS case_search_ad",
    "DROP TRIGGER IF EXISTS case_search_ai",
    "DROP TABLE IF EXISTS case_search",
    "DROP VIEW IF EXISTS case_search_source",
)


def create_case_search(database: peewee.Database) -> None:
    """SQLite: build the FTS5 index afresh (the bench drops it for a bulk load)."""
    for statement in CASE_SEARCH_CREATE:
        database.execute_sql(statement)


def drop_case_search(database: peewee.Database) -> None:
    for statement in CASE_SEARCH_DROP:
        database.execute_sql(statement)


# --- Case search on PostgreSQL: one tsvector per case (created by migration 0007) --------------
# The document each case's row must hold; the migration holds the triggers that write it.

_PG_DOCUMENT = "to_tsvector('simple', psm_search_text({number}, {name}, {description}))"


def case_search_in_step(database: peewee.Database) -> bool:
    """Whether the index holds exactly what its triggers would write for every case."""
    if is_sqlite(database):
        try:
            database.execute_sql(
                "INSERT INTO case_search(case_search, rank) VALUES ('integrity-check', 1)"
            )
        except peewee.DatabaseError:
            return False
        return True
    document = _PG_DOCUMENT.format(number="c.number", name="cl.name", description="c.description")
    sql = f"""SELECT count(*) FROM "case" AS c JOIN client AS cl ON cl.id = c.client_id
    FULL JOIN case_search AS s ON s.id = c.id WHERE s.doc IS DISTINCT FROM {document}"""
    return bool(database.execute_sql(sql).fetchone()[0] == 0)


# --- Search box text to an FTS5 query (SQLite) ---------------------------------------------------

_SEARCH_RUN = re.compile(r'[^\s"()]+')
_SEARCH_OPERATORS = frozenset(("AND", "OR", "NOT"))
_WORD = re.compile(r"\w")


def _prefix(match: re.Match[str]) -> str:
    word = match.group()
    if word in _SEARCH_OPERATORS or word.endswith(("*", ":")) or not _WORD.search(word):
        return word
    return word + "*"


def case_search_query(text: str) -> str:
    """A search box's text as a safe FTS5 query: every bare word a prefix, "quoted" phrases
    exact, -word excluded, OR allowed. Never raises, whatever the punctuation."""
    from playhouse.fts_parser import parse

    chunks = text.split('"')
    chunks[::2] = [_SEARCH_RUN.sub(_prefix, chunk) for chunk in chunks[::2]]
    return str(parse('"'.join(chunks), CASE_SEARCH_COLUMNS))


# --- Search box text to a tsquery (PostgreSQL) ---------------------------------------------------

_PG_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_ALNUM = re.compile(r"[^\W_]+")
_COLUMN_PREFIX = re.compile(r"^(?:number|name|description):")


def case_search_tsquery(text: str) -> str | None:
    """The same reading of the search box as ``case_search_query``, as ``to_tsquery`` text.

    Only runs of letters and digits reach the query (joined by its operators), so no input can
    make it fail; ``None`` when nothing searchable is left."""
    terms: list[str] = []
    joiner, negate_next = " & ", False
    for minus, phrase, bare in _PG_TERM.findall(text):
        if bare in _SEARCH_OPERATORS:
            joiner = " | " if bare == "OR" else " & "
            negate_next = bare == "NOT"
            continue
        if bare:
            minus, bare = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
            words = _ALNUM.findall(_COLUMN_PREFIX.sub("", bare))
            if words:
                words[-1] += ":*"
        else:
            words = _ALNUM.findall(phrase)
        if not words:
            continue
        term = "(" + " <-> ".join(words) + ")"
        if minus or negate_next:
            term = "!" + term
        terms.append((joiner if terms else "") + term)
        joiner, negate_next = " & ", False
    return "".join(terms) or None


# Above this many hits, walking the list's ordering index and testing membership beats fetching
# every hit's row to sort it (SQLite; measured: bench/README.md).
BROAD_SEARCH = 2000
_MATCH = "SELECT rowid FROM case_search WHERE case_search MATCH ?"
_PG_MATCH = (
    "SELECT id FROM case_search"
    " WHERE doc @@ to_tsquery('simple', lower(unaccent('unaccent'::regdictionary, %s)))"
)


def case_search_condition(case_id: peewee.Field, text: str) -> peewee.Expression:
    """``case.id`` among the cases matching ``text``.

    On SQLite a narrow search looks its few rows up by primary key; a broad one hides the key
    from the planner (``id + 0``) so SQLite walks the ordering index and stops after one page."""
    database = case_id.model._meta.database
    database = getattr(database, "obj", database)  # the concrete database behind the proxy
    if not is_sqlite(database):
        query = case_search_tsquery(text)
        if query is None:
            return case_id.in_([])
        return case_id.in_(peewee.SQL(f"({_PG_MATCH})", (query,)))
    query = case_search_query(text)
    ids = peewee.SQL(f"({_MATCH})", (query,))
    hits = database.execute_sql(
        f"SELECT count(*) FROM ({_MATCH} LIMIT ?)", (query, BROAD_SEARCH + 1)
    ).fetchone()[0]
    return (case_id + 0).in_(ids) if hits > BROAD_SEARCH else case_id.in_(ids)


def case_search_count(database: peewee.Database, text: str) -> int:
    """How many cases match ``text``: the index holds exactly one row per case."""
    if not is_sqlite(database):
        query = case_search_tsquery(text)
        if query is None:
            return 0
        return int(
            database.execute_sql(
                f"SELECT count(*) FROM ({_PG_MATCH}) AS hits", (query,)
            ).fetchone()[0]
        )
    query = case_search_query(text)
    return int(database.execute_sql(f"SELECT count(*) FROM ({_MATCH})", (query,)).fetchone()[0])


def unindexed(field: peewee.Field) -> peewee.Node:
    """``field`` hidden from SQLite's planner (``+column``), so that a page ordered by another
    indexed column walks that index and stops after one page, rather than fetching every row
    of ``field``'s index to sort them (a kecamatan's list: 0.9 ms instead of 56 ms at 100k
    cases). PostgreSQL plans by its statistics: the field is left as it is."""
    database = field.model._meta.database
    database = getattr(database, "obj", database)
    if not is_sqlite(database):
        return field
    return peewee.NodeList((peewee.SQL("+"), field), glue="")
