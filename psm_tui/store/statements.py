"""Statements peewee compiles once per shape and the driver runs again with new parameters.

Building a peewee query and turning it into SQL cost a case list page several times what
SQLite takes to answer it (a 20-column select over five joins: ~70,000 calls into peewee per
page). A statement's SQL depends only on its shape (which columns, joins, conditions, ordering)
and on the dialect; its values are parameters. So a query is built once per shape with a
:func:`slot` wherever a value goes (and at most one :data:`HOLE`, where a subquery compiled on
each call goes), compiled, and kept: later calls only bind values and run. The cache is keyed by
the database's class (the dialect: quoting and parameter style), guarded by a lock (screens read
from worker threads) and bounded (least recently used shapes are dropped).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import peewee

from psm_tui.store.database import db

MAX_SHAPES = 64
_TOKEN = "\x00psm-hole\x00"


@dataclass(frozen=True)
class _Slot:
    index: int


_HOLE_PARAMS = object()  # where the hole's own parameters go, among the statement's


class _SlotNode(peewee.Node):
    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index

    def __sql__(self, ctx: peewee.Context) -> peewee.Context:
        ctx.value(_Slot(self.index), converter=False)
        return ctx


class _HoleNode(peewee.Node):
    def __sql__(self, ctx: peewee.Context) -> peewee.Context:
        ctx.literal(f"({_TOKEN})")
        ctx.value(_HOLE_PARAMS, converter=False, add_param=False)
        return ctx


HOLE: peewee.Node = _HoleNode()  # ``Case.id.in_(HOLE)``: the subquery given to each run


Bind = Callable[[Any], Any]  # a value -> itself (inline) or the slot it is bound to


def inline(value: Any) -> Any:
    """The :data:`Bind` of a query compiled on each call: every value stays in place."""
    return value


def slot(index: int) -> peewee.Node:
    """The ``index``th value of each run, in place of a value in a query being built."""
    return _SlotNode(index)


@dataclass(frozen=True)
class Statement:
    """A compiled statement: SQL around the hole, and its parameters (values or slots)."""

    head: str
    tail: str
    params: tuple[Any, ...]

    def bind(
        self, values: Sequence[object], inner: tuple[str, Sequence[object]] | None = None
    ) -> tuple[str, list[object]]:
        """The SQL and parameters of one run: ``values`` in the slots, ``inner`` in the hole."""
        params: list[object] = []
        for param in self.params:
            if type(param) is _Slot:
                params.append(values[param.index])
            elif param is _HOLE_PARAMS:
                params.extend(inner[1] if inner else ())
            else:
                params.append(param)
        sql = self.head if inner is None else f"{self.head}{inner[0]}{self.tail}"
        return sql, params


def compile_statement(query: peewee.Query) -> Statement:
    """``query`` (built with slots, and at most one hole) as SQL for the open database."""
    sql, params = db.get_sql_context().sql(query).query()
    head, _, tail = sql.partition(_TOKEN)
    return Statement(head, tail, tuple(params))


class StatementCache:
    """Compiled statements by (dialect, shape), the ``size`` most recently used."""

    def __init__(self, size: int = MAX_SHAPES) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[type, Hashable], Statement] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def statement(self, shape: Hashable, build: Callable[[], peewee.Query]) -> Statement:
        """The statement of ``shape`` for the open database, built and compiled if new."""
        key = (type(db.obj), shape)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        compiled = compile_statement(build())  # outside the lock: compiling twice is harmless
        with self._lock:
            self._entries[key] = compiled
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return compiled

    def rows(
        self,
        shape: Hashable,
        build: Callable[[], peewee.Query],
        values: Sequence[object] = (),
        inner: peewee.Query | None = None,
    ) -> list[tuple[Any, ...]]:
        """Every row of the statement of ``shape`` run with ``values`` (and ``inner``, compiled
        now, in its hole)."""
        statement = self.statement(shape, build)
        compiled = db.get_sql_context().sql(inner).query() if inner is not None else None
        sql, params = statement.bind(values, compiled)
        rows: list[tuple[Any, ...]] = db.execute_sql(sql, params).fetchall()
        return rows


STATEMENTS = StatementCache()
