"""The case search, whichever the engine: what a search box's text means and where it looks.

Both dialects index the words of the client's name, the case number and the description,
diacritics folded, kept in step by triggers inside the writing transaction (SQLite: an FTS5
table with external content; PostgreSQL: a ``tsvector`` table with a GIN index). Each translates
a search box's text into its engine's query language: bare words are prefixes, "quoted" phrases
exact, -word excluded, OR allowed; no punctuation ever makes a query fail.
"""

from __future__ import annotations

import peewee

from psm_tui.store.backend import dialect_of

COLUMNS = ("number", "name", "description")  # what the index holds of each case
OPERATORS = frozenset(("AND", "OR", "NOT"))  # the words a search box's text may join terms by


def case_search_in_step(database: peewee.Database) -> bool:
    """Whether the index holds exactly what its triggers would write for every case."""
    return dialect_of(database).case_search_in_step(database)


def case_search_condition(
    case_id: peewee.Field, text: str, *, walk_order: bool = False, spread: int = 1
) -> peewee.Expression:
    """``case.id`` among the cases matching ``text``; ``walk_order``: the condition of a page in
    an index's order, which may then test each row it walks rather than fetch every hit.
    ``spread``: the page's other conditions keep about one case in ``spread`` (a kecamatan: 13),
    so a walk goes that many times further for its page, and fetching the hits pays sooner."""
    database = case_id.model._meta.database
    dialect = dialect_of(database)
    return dialect.case_search_condition(database, case_id, text, walk_order, spread)


def case_search_count(database: peewee.Database, text: str) -> int:
    """How many cases match ``text``: the index holds exactly one row per case."""
    return dialect_of(database).case_search_count(database, text)


def unindexed(field: peewee.Field) -> peewee.Node:
    """``field`` hidden from the planner where that helps (SQLite), so that a page ordered by
    another indexed column walks that index and stops after one page."""
    return dialect_of(field.model._meta.database).unindexed(field)
