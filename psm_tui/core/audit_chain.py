"""The audit log's SHA-256 hash chain: appending rows to it, and verifying it.

Each row's ``row_hash`` is sha256(the previous row's hash + the row's canonical JSON, id
included), and each id is the previous id + 1. Changing, removing or inserting a row therefore
breaks the chain at that row, unless the tamperer recomputes every hash after it: that changes the
head, which is why the head is printed for anchoring off the server (``psm backup``,
``psm check --json``) and ``psm audit verify --anchor`` checks the log against such an anchor.
Migration 0008 holds a frozen copy of the hashing; the two must never differ.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from peewee import Field

from psm_tui.store import backend, bulk
from psm_tui.store.database import db
from psm_tui.store.models import AuditLog, Meta
from psm_tui.store.rows import tuples

GENESIS = "0" * 64  # the "previous hash" of row 1
GAPS_KEY = "audit_chain_gaps"  # ids missing before migration 0008 (PostgreSQL rollbacks)
BATCH = 5000  # rows read per query while verifying: constant memory (a few MiB) at any size
HASHED: tuple[Field[Any], ...] = (
    AuditLog.id,
    AuditLog.at,
    AuditLog.username,
    AuditLog.action,
    AuditLog.entity,
    AuditLog.entity_id,
    AuditLog.case_number,
    AuditLog.changes,
    AuditLog.detail,
)
_ANCHOR = re.compile(r"(?:(\d+):)?([0-9a-f]{64})")


def _make_encoder() -> Callable[[object, int], Sequence[str]]:
    """Compact JSON, non-ASCII kept, anything else (a datetime) as ``str()``: the canonical form.

    The C encoder is built once: ``JSONEncoder.encode`` builds it again on every call, a third
    of the time per row. Used only if it gives exactly what ``json.dumps`` gives.
    """
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
    sample = (1, dt.datetime(2026, 1, 2, 3, 4, 5), 'ä"\n\u202e', None, '{"a": [null, 1]}')
    try:
        # The C accelerator is undocumented (absent from the stubs): used only while it gives
        # exactly what the documented encoder gives.
        from json.encoder import (  # type: ignore[attr-defined]  # undocumented, checked below
            c_make_encoder,
            encode_basestring,
        )

        fast: Callable[[object, int], Sequence[str]] = c_make_encoder(
            None, str, encode_basestring, None, ":", ",", False, False, True
        )
        if "".join(fast(sample, 0)) == encoder.encode(sample):
            return fast
    except (ImportError, TypeError):
        pass
    return lambda value, _level: [encoder.encode(value)]


_encode = _make_encoder()


def canonical(values: Sequence[object]) -> str:
    """The text hashed for one row: its HASHED values as stored, in that order."""
    return "".join(_encode(tuple(values), 0))


def row_hash(previous: str | None, values: Sequence[object]) -> str:
    return hashlib.sha256(((previous or "") + canonical(values)).encode()).hexdigest()


# --- Appending --------------------------------------------------------------------------------


def append(rows: Iterable[Sequence[object]], *, chained: bool = True) -> int:
    """Append rows (values of HASHED but the id, any type the fields accept) to the chain.

    Runs in the caller's transaction if there is one (so the rows land with the write they
    describe), else in its own; either way the chain is held from reading its head to the commit.
    ``chained=False`` only for a database still before migration 0008 (a restored old backup):
    there is no hash column yet, and the migration will hash these rows with the others.
    Returns the number of rows.
    """
    if not chained:
        count = 0
        for values in rows:
            AuditLog.insert(dict(zip(HASHED[1:], values, strict=True))).execute()
            count += 1
        return count
    if db.in_transaction():
        return _append(rows)
    with db.atomic():
        return _append(rows)


def _append(rows: Iterable[Sequence[object]]) -> int:
    backend.lock_audit_chain(db.obj)
    head = next(
        tuples(
            AuditLog.select(AuditLog.id, AuditLog.row_hash).order_by(AuditLog.id.desc()).limit(1)
        ),
        None,
    )
    last_id, previous = head if head else (0, GENESIS)
    fields = HASHED[1:]
    columns = [*HASHED, AuditLog.row_hash]
    count = 0
    for chunk in bulk.chunks(rows, 5000):
        stored = []
        for values in chunk:
            last_id += 1
            hashed = (last_id, *(f.db_value(v) for f, v in zip(fields, values, strict=True)))
            previous = row_hash(previous, hashed)
            stored.append((*hashed, previous))
        sql, _params = AuditLog.insert_many(stored[:1], fields=columns).sql()
        db.cursor().executemany(sql, stored)
        count += len(stored)
    if count:
        backend.audit_chain_appended(db.obj, last_id)
    return count


# --- Verifying --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainHead:
    """The last row of the chain; ``str()`` is what ``--anchor`` takes."""

    id: int
    hash: str

    def __str__(self) -> str:
        return f"{self.id}:{self.hash}"


@dataclass(frozen=True)
class ChainBreak:
    """The first row that does not verify. ``reason``: ``changed`` (its hash does not match),
    ``unhashed`` (written around psm), ``missing`` (ids ``missing`` are gone before it)."""

    id: int
    at: dt.datetime | str | None
    username: str
    reason: str
    missing: tuple[int, int] | None = None


@dataclass(frozen=True)
class ChainReport:
    rows: int
    head: ChainHead | None
    broken: ChainBreak | None
    anchor_row: ChainHead | None = None  # the row of the anchor's id, or holding its hash

    @property
    def ok(self) -> bool:
        return self.broken is None


@dataclass(frozen=True)
class Anchor:
    hash: str
    id: int | None = None


def parse_anchor(text: str) -> Anchor | None:
    """``HASH`` or ``ID:HASH`` (as psm prints the head); None if it is neither."""
    match = _ANCHOR.fullmatch(text.strip().lower())
    if match is None:
        return None
    return Anchor(match.group(2), int(match.group(1)) if match.group(1) else None)


def _known_gaps() -> set[tuple[int, int]]:
    row = Meta.get_or_none(Meta.key == GAPS_KEY)
    return {(first, last) for first, last in json.loads(row.value)} if row else set()


def _batches() -> Iterator[list[tuple[Any, ...]]]:
    """Every row (HASHED values, then row_hash) in id order, a batch at a time, raw as the
    driver gives them (a SQLite ``at`` stays the text it was stored as)."""
    last = 0
    while True:
        query = (
            AuditLog.select(*HASHED, AuditLog.row_hash)
            .where(AuditLog.id > last)
            .order_by(AuditLog.id)
            .limit(BATCH)
        )
        rows = db.execute(query).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def verify(anchor: Anchor | None = None) -> ChainReport:
    """Walk the whole chain in id order, in constant memory; stop at the first broken row.

    With an anchor, ``anchor_row`` is the row of the anchor's id (or, given only a hash, the row
    holding it) if the walk reached it.
    """
    gaps = _known_gaps()
    sha256, encode = hashlib.sha256, _encode
    last_id, previous, count = 0, GENESIS, 0
    anchor_row: ChainHead | None = None
    broken: ChainBreak | None = None
    for rows in _batches():
        for row in rows:
            rid, stored = row[0], row[9]
            if rid != last_id + 1 and (last_id + 1, rid - 1) not in gaps:
                broken = ChainBreak(row[0], row[1], row[2], "missing", (last_id + 1, rid - 1))
            elif sha256((previous + "".join(encode(row[:9], 0))).encode()).hexdigest() != stored:
                reason = "unhashed" if stored is None else "changed"
                broken = ChainBreak(row[0], row[1], row[2], reason)
            if broken is not None:
                break
            if anchor is not None and (
                rid == anchor.id or (anchor.id is None and stored == anchor.hash)
            ):
                anchor_row = ChainHead(rid, stored)
            last_id, previous, count = rid, stored, count + 1
        if broken is not None:
            break
    head = ChainHead(last_id, previous) if count else None
    return ChainReport(count, head, broken, anchor_row)
