"""Rows as the database hands them back, typed as what they are.

Peewee's stubs type ``query.tuples()`` as the query itself, whose rows are models, so a loop
``for code, n in query.tuples()`` reads to a type checker as unpacking a model; a value selected
``.alias()``-ed is an attribute no model declares; a timestamp read raw is text on SQLite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, cast

from peewee import BaseQuery, Model


def tuples(query: BaseQuery) -> Iterator[tuple[Any, ...]]:
    """The rows of ``query``, each a tuple of its selected columns."""
    return cast("Iterator[tuple[Any, ...]]", iter(query.tuples()))


def aliased(row: Model, name: str) -> Any:
    """The value selected into ``row`` as ``.alias(name)`` (an attribute the model does not
    declare, so a type checker cannot see it)."""
    return getattr(row, name)


def as_datetime(value: object) -> dt.datetime:
    """A timestamp read raw (SQLite hands back text, PostgreSQL a datetime)."""
    if type(value) is str:  # the common case (SQLite), tested first: a page reads hundreds
        return dt.datetime.fromisoformat(value)
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def as_optional_datetime(value: object) -> dt.datetime | None:
    """:func:`as_datetime`, for a column or an aggregate that may be NULL."""
    return None if value is None else as_datetime(value)
