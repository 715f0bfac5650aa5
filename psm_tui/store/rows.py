"""Rows of a query as plain tuples, typed as what they are.

Peewee's stubs type ``query.tuples()`` as the query itself, whose rows are models, so a loop
``for code, n in query.tuples()`` reads to a type checker as unpacking a model.
"""

from __future__ import annotations

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
