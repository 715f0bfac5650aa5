"""Checking checked rows against the database: what is already there, what repeats.

Run :func:`plan_cases` / :func:`plan_workers` inside the write transaction that then writes the
plan (see :mod:`psm_tui.core.imports.writer`), so what was found absent is still absent when
it is written. Lookups are chunked ``IN`` queries over the values the file holds.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from peewee import Field, chunked

from psm_tui.core.imports.rows import CaseRow, Refusal, WorkerRow
from psm_tui.i18n import _
from psm_tui.store.database import db
from psm_tui.store.models import Case, Client, ImportRecord, Worker
from psm_tui.store.rows import tuples

LOOKUP_CHUNK = 500
R = TypeVar("R", CaseRow, WorkerRow)


@dataclass
class Plan(Generic[R]):
    """What a checked file would do: the rows to write, and the rest accounted for."""

    rows: list[R] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    already: int = 0
    clients: dict[int, int] = field(default_factory=dict)  # row -> existing client id


# (database class, fields, values per chunk) -> the SELECT's SQL: compiled once per shape, as
# peewee would spend ~5 µs per bound value compiling each chunk's IN list again.
_COMPILED: dict[tuple[object, ...], str] = {}


def _existing(
    column: Field[Any], values: Iterable[Any], *extra: Field[Any]
) -> list[tuple[Any, ...]]:
    """``(column, *extra)`` of the rows whose ``column`` is one of ``values`` (chunked IN),
    each value read back through its field as peewee's ``tuples()`` would."""
    found: list[tuple[Any, ...]] = []
    model = column.model
    fields = (column, *extra)
    convert: list[Callable[[Any], Any]] = [field.python_value for field in fields]
    for chunk in chunked(sorted(set(values)), LOOKUP_CHUNK):
        shape = (type(db.obj), fields, len(chunk))
        sql = _COMPILED.get(shape)
        if sql is None:
            sql = _COMPILED[shape] = model.select(*fields).where(column.in_(chunk)).sql()[0]
        cursor = db.execute_sql(sql, [column.db_value(value) for value in chunk])
        found.extend(
            tuple(fn(value) for fn, value in zip(convert, row, strict=True))
            for row in cursor.fetchall()
        )
    return found


def _imported_keys(keys: Iterable[str]) -> set[str]:
    return {key for (key,) in _existing(ImportRecord.key, keys)}


def _same_person(a: str, b: str) -> bool:
    """Names agree if nearly equal once folded, or one is the other's shorter form ("Siti" or
    "Siti A." for "Siti Aminah": every word of the shorter is a word or an initial of the other).
    """
    fa, fb = (re.sub(r"[^a-z ]", " ", n.casefold()).split() for n in (a, b))
    short, long = sorted((fa, fb), key=len)
    if short and all(any(w == v or (len(w) == 1 and v.startswith(w)) for v in long) for w in short):
        return True
    return difflib.SequenceMatcher(None, " ".join(fa), " ".join(fb)).ratio() >= 0.85


def _first_pass(rows: Sequence[R], plan: Plan[R]) -> list[R]:
    """Drop in-file repeats (refused) and rows a previous import already wrote (counted)."""
    seen: dict[str, int] = {}
    unique: list[R] = []
    for row in rows:
        if row.key in seen:
            plan.refusals.append(
                Refusal(row.row, "", _("Same as row {row}").format(row=seen[row.key]))
            )
            continue
        seen[row.key] = row.row
        unique.append(row)
    done = _imported_keys(seen)
    plan.already = sum(1 for row in unique if row.key in done)
    return [row for row in unique if row.key not in done]


def plan_cases(rows: Sequence[CaseRow], nik_header: str) -> Plan[CaseRow]:
    """Clients are found by NIK: a known NIK links the case to that client when the names agree
    and is refused when they do not; a case that client already has on that day is refused."""
    plan: Plan[CaseRow] = Plan()
    fresh = _first_pass(rows, plan)
    known = {
        nik: (cid, name)
        for nik, cid, name in _existing(
            Client.nik, (r.nik for r in fresh if r.nik), Client.id, Client.name
        )
    }
    held = {
        (cid, cat, day.date() if isinstance(day, dt.datetime) else day): number
        for cid, cat, day, number in _existing(
            Case.client,
            {cid for cid, _name in known.values()},
            Case.category,
            Case.reported_at,
            Case.number,
        )
    }
    in_file: dict[str, CaseRow] = {}
    for row in fresh:
        if row.nik and row.nik in known:
            client_id, name = known[row.nik]
            if not _same_person(row.name, name):
                plan.refusals.append(
                    Refusal(
                        row.row,
                        nik_header,
                        _("NIK {nik} already belongs to client {name}").format(
                            nik=row.nik, name=name
                        ),
                    )
                )
                continue
            number = held.get((client_id, row.category, row.reported_at.date()))
            if number:
                plan.refusals.append(
                    Refusal(
                        row.row,
                        "",
                        _("Case {number} already records this client, category and date").format(
                            number=number
                        ),
                    )
                )
                continue
            plan.clients[row.row] = client_id
        elif row.nik and row.nik in in_file:
            first = in_file[row.nik]
            if not _same_person(row.name, first.name):
                plan.refusals.append(
                    Refusal(
                        row.row,
                        nik_header,
                        _("NIK {nik} is also in row {row} for {name}").format(
                            nik=row.nik, row=first.row, name=first.name
                        ),
                    )
                )
                continue
        elif row.nik:
            in_file[row.nik] = row
        plan.rows.append(row)
    return plan


def plan_workers(
    rows: Sequence[WorkerRow], nik_header: str, kecamatan_header: str
) -> Plan[WorkerRow]:
    """A worker's NIK is unique on the roster; without one, the same name in the same place is
    the same person; a kecamatan has one active TKSK."""
    plan: Plan[WorkerRow] = Plan()
    fresh = _first_pass(rows, plan)
    by_nik = {
        nik: (wid, name)
        for nik, wid, name in _existing(
            Worker.nik, (r.nik for r in fresh if r.nik), Worker.id, Worker.name
        )
    }
    by_place: dict[tuple[str, str], int] = {}
    for wid, name, kel, kec in tuples(
        Worker.select(Worker.id, Worker.name, Worker.kelurahan, Worker.kecamatan)
    ):
        by_place[(" ".join(name.casefold().split()), kel or kec)] = wid
    tksk = {
        kec
        for (kec,) in tuples(
            Worker.select(Worker.kecamatan).where(
                Worker.kind == "tksk",
                Worker.active == True,  # noqa: E712
            )
        )
    }
    niks: dict[str, int] = {}
    for row in fresh:
        place = (" ".join(row.name.casefold().split()), row.kelurahan or row.kecamatan)
        if row.nik and row.nik in by_nik:
            reason, column = (
                _("A worker with NIK {nik} already exists").format(nik=row.nik)
                + f" (ID {by_nik[row.nik][0]}, {by_nik[row.nik][1]})",
                nik_header,
            )
        elif row.nik and row.nik in niks:
            reason, column = _("Same NIK as row {row}").format(row=niks[row.nik]), nik_header
        elif not row.nik and place in by_place:
            reason, column = (
                _("{name} is already on the roster (worker ID {id})").format(
                    name=row.name, id=by_place[place]
                ),
                "",
            )
        elif row.kind == "tksk" and row.active and row.kecamatan in tksk:
            reason, column = _("This kecamatan already has an active TKSK"), kecamatan_header
        else:
            if row.nik:
                niks[row.nik] = row.row
            if row.kind == "tksk" and row.active:
                tksk.add(row.kecamatan)
            plan.rows.append(row)
            continue
        plan.refusals.append(Refusal(row.row, column, reason))
    return plan
