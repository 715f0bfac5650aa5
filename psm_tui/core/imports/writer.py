"""Writing a planned import in bulk: clients, cases, timeline, audit rows, import keys.

The writes use ``executemany`` with the SQL peewee builds (portable DB-API): 100,000 rows go in
seconds, where one query per row (or ``insert_many``'s per-row overhead) would take minutes.
Call inside a batch's write transaction (core/imports/runs.py); the rows written stay hidden
from readers (core/pending_imports.py) until the run's last transaction.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from peewee import Model, fn

from psm_tui.core import audit as audit_log
from psm_tui.core import pending_imports
from psm_tui.core.case_queries import mask_nik
from psm_tui.core.dto import Actor
from psm_tui.core.imports.plan import Plan
from psm_tui.core.imports.rows import CaseRow, WorkerRow
from psm_tui.core.sensitive import SENSITIVE_CATEGORIES
from psm_tui.core.timeline import encode, fact
from psm_tui.store import bulk as backend_bulk
from psm_tui.store.database import db
from psm_tui.store.models import Activity, Case, CaseCounter, Client, ImportRecord, Worker
from psm_tui.store.rows import tuples

WRITE_CHUNK = 5000
CLIENT_FIELDS = (
    "name", "nik", "kk", "sex", "birth_date", "address", "rt", "rw", "kelurahan", "phone",
    "dtsen", "dtsen_desil", "dtsen_source", "dtsen_on", "version", "created_at", "updated_at",
)  # fmt: skip
DTSEN_IMPORTED = "impor"  # client.dtsen_source of a DTSEN status a file brought
CASE_FIELDS = (
    "number", "client", "category", "priority", "status", "kelurahan", "worker", "description",
    "source", "outcome", "reported_at", "updated_at", "closed_at", "created_by", "updated_by",
    "version", "sensitive",
)  # fmt: skip
WORKER_FIELDS = (
    "kind", "name", "nik", "phone", "kelurahan", "kecamatan", "active", "joined_on",
    "inactive_reason", "inactive_on", "created_at", "bank_name", "bank_account", "bank_holder",
)  # fmt: skip
ACTIVITY_FIELDS = ("case", "kind", "data", "author", "at", "worker")
RECORD_FIELDS = ("kind", "key", "entity_id", "source", "row", "username", "at")


def _dtsen_origin(status: str, now: dt.datetime) -> tuple[str | None, dt.date | None]:
    """Where and when a known DTSEN status came from: this import, today."""
    return (None, None) if status == "tidak_diketahui" else (DTSEN_IMPORTED, now.date())


def bulk_insert(model: type[Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert ``rows`` (values in ``fields`` order, already as stored: ids for foreign keys) with
    one prepared statement, a chunk at a time (``rows`` may be a generator). Returns the count."""
    chunks = backend_bulk.chunks(rows, WRITE_CHUNK)
    first = next(chunks, None)
    if not first:
        return 0
    key = (model, tuple(fields), type(db.obj))
    sql = _COMPILED.get(key)
    if sql is None:
        columns = [model._meta.fields[name] for name in fields]
        sql, params = model.insert_many([first[0]], fields=columns).sql()
        if len(params) != len(columns):  # a default-valued field was left out of ``fields``
            raise ValueError(f"bulk_insert into {model.__name__}: give every field explicitly")
        _COMPILED[key] = sql
    cursor = db.cursor()
    count = 0
    for chunk in itertools.chain([first], chunks):
        cursor.executemany(sql, chunk)
        count += len(chunk)
    return count


# (model, fields, database class) -> the INSERT: a batched import runs it hundreds of times, and
# peewee takes ~0.5 ms to compile it.
_COMPILED: dict[tuple[object, ...], str] = {}


def _new_ids(model: type[Case | Client | Worker], after: int, count: int) -> list[int]:
    """The ids the database gave the ``count`` rows just inserted (in insert order)."""
    ids = [i for (i,) in tuples(model.select(model.id).where(model.id > after).order_by(model.id))]
    if len(ids) != count:
        raise RuntimeError(f"{model.__name__}: expected {count} new rows, found {len(ids)}")
    return ids


def _max_id(model: type[Case | Client | Worker]) -> int:
    return int(model.select(fn.COALESCE(fn.MAX(model.id), 0)).scalar())


def reserve_case_numbers(year: int, count: int) -> list[str]:
    """``count`` consecutive numbers of ``year``: the counter :func:`cases.next_case_number`
    uses, moved once for the block (inside the import's transaction)."""
    CaseCounter.insert(year=year, last=0).on_conflict_ignore().execute()
    CaseCounter.update(last=CaseCounter.last + count).where(CaseCounter.year == year).execute()
    last = CaseCounter.get_by_id(year).last
    return [f"{year}-{n:06d}" for n in range(last - count + 1, last + 1)]


def _text(value: str | None) -> str:
    """A JSON string literal (user text), as :func:`audit.record` would encode it."""
    return json.dumps(value, ensure_ascii=False)


class _Audit:
    """Audit rows as :func:`audit.record` writes them, built without a dict and a ``json.dumps``
    per row: only user text needs escaping (codes, numbers and vocabulary values never do)."""

    def __init__(self, actor: Actor, at: dt.datetime, source: str) -> None:
        self.actor, self.at, self.source = actor, at, source
        # A timeline fact (worded when read), built as text: one per row.
        self.detail = '{"event":"import.row","file":' + _text(source) + ',"row":'

    def row(self, action: str, entity: str, entity_id: int, changes: str, row: int,
            number: str | None = None) -> tuple[object, ...]:  # fmt: skip
        return (self.at, self.actor.username, action, entity, str(entity_id), number,
                "{" + changes + "}", f"{self.detail}{row}}}")  # fmt: skip


def write_cases(
    actor: Actor,
    plan: Plan[CaseRow],
    source: str,
    now: dt.datetime,
    progress: Callable[[float], None],
    created_niks: dict[str, int] | None = None,
) -> list[str]:
    """Write the planned cases with their new clients, timeline, audit rows and import keys;
    returns the case numbers given, sorted. ``created_niks`` (NIK -> client id) carries the
    clients earlier batches of the same file created, and is updated with this batch's."""
    known = {} if created_niks is None else created_niks
    rows: list[CaseRow] = sorted(plan.rows, key=lambda r: (r.reported_at, r.row))
    backend_bulk.lock_against_inserts(db.obj, Client._meta.table_name, Case._meta.table_name)
    numbers: list[str] = []
    for year, block in itertools.groupby(rows, key=lambda r: r.reported_at.year):
        numbers += reserve_case_numbers(year, sum(1 for _row in block))
    client_of = dict(plan.clients)  # row -> client id
    for row in rows:
        if row.row not in client_of and row.nik in known:
            client_of[row.row] = known[row.nik]
    new_clients: list[CaseRow] = []
    first_with: dict[str, CaseRow] = {}
    for row in rows:
        if row.row not in client_of and not (row.nik and row.nik in first_with):
            new_clients.append(row)
            if row.nik:
                first_with[row.nik] = row
    before = _max_id(Client)
    bulk_insert(Client, CLIENT_FIELDS, (
        (r.name, r.nik, r.kk, r.sex, r.birth_date, r.address, r.rt, r.rw, r.kelurahan, r.phone,
         r.dtsen, r.dtsen_desil, *_dtsen_origin(r.dtsen, now), 1, now, now)
        for r in new_clients))  # fmt: skip
    client_ids = _new_ids(Client, before, len(new_clients))
    pending_imports.hide(Client, client_ids)
    progress(0.2)
    created = {r.row: cid for r, cid in zip(new_clients, client_ids, strict=True)}
    known.update({r.nik: cid for r, cid in zip(new_clients, client_ids, strict=True) if r.nik})
    for row in rows:
        if row.row not in client_of:
            # Not created for itself: the first row with its NIK was (so it has one).
            client_of[row.row] = created.get(row.row) or created[first_with[row.nik or ""].row]
    before = _max_id(Case)
    with backend_bulk.case_search_suspended(db.obj, before):
        bulk_insert(Case, CASE_FIELDS, (
            (n, client_of[r.row], r.category, r.priority, r.status, r.kelurahan, None,
             r.description, r.source, r.outcome, r.reported_at, now, r.closed_at, actor.id,
             actor.id, 1, r.category in SENSITIVE_CATEGORIES)
            for n, r in zip(numbers, rows, strict=True)))  # fmt: skip
    case_ids = _new_ids(Case, before, len(rows))
    pending_imports.hide(Case, case_ids)
    progress(0.5)
    bulk_insert(Activity, ACTIVITY_FIELDS, (
        (cid, "status", _imported(source, r), actor.id, now, None)
        for cid, r in zip(case_ids, rows, strict=True)))  # fmt: skip
    progress(0.6)
    audit = _Audit(actor, now, source)
    audit_log.record_rows(itertools.chain((
        audit.row("client.import", "client", cid,
                  f'"name": [null, {_text(r.name)}], "nik": [null, {_text(mask_nik(r.nik, None))}]'
                  f', "kelurahan": [null, "{r.kelurahan}"]', r.row)
        for cid, r in zip(client_ids, new_clients, strict=True)), (
        audit.row("case.import", "case", cid,
                  f'"number": [null, "{n}"], "client": [null, {client_of[r.row]}], '
                  f'"category": [null, {r.category}], "kelurahan": [null, "{r.kelurahan}"], '
                  f'"status": [null, "{r.status}"], "priority": [null, "{r.priority}"], '
                  f'"source": [null, "{r.source}"]', r.row, n)
        for cid, n, r in zip(case_ids, numbers, rows, strict=True))))  # fmt: skip
    progress(0.8)
    bulk_insert(ImportRecord, RECORD_FIELDS, (
        ("cases", r.key, cid, source, r.row, actor.username, now)
        for cid, r in zip(case_ids, rows, strict=True)))  # fmt: skip
    progress(1.0)
    return sorted(numbers)


def _imported(source: str, row: CaseRow) -> str:
    """The timeline fact of an imported case, worded when read (core/timeline.py)."""
    return encode(fact("import", status=row.status, file=source, row=row.row,
                       file_status=row.file_status or None))  # fmt: skip


def write_workers(
    actor: Actor,
    plan: Plan[WorkerRow],
    source: str,
    now: dt.datetime,
    progress: Callable[[float], None],
) -> None:
    rows = plan.rows
    reason = encode(fact("roster.inactive"))  # worded when read (migration 0011)
    backend_bulk.lock_against_inserts(db.obj, Worker._meta.table_name)
    before = _max_id(Worker)
    bulk_insert(Worker, WORKER_FIELDS, (
        (r.kind, r.name, r.nik, r.phone, r.kelurahan, r.kecamatan, r.active, r.joined_on,
         None if r.active else reason, None if r.active else now.date(), now,
         r.bank_name, r.bank_account, r.bank_holder)
        for r in rows))  # fmt: skip
    ids = _new_ids(Worker, before, len(rows))
    pending_imports.hide(Worker, ids)
    progress(0.5)
    audit = _Audit(actor, now, source)
    audit_log.record_rows((
        audit.row("worker.import", "worker", wid,
                  f'"kind": [null, "{r.kind}"], "name": [null, {_text(r.name)}], '
                  f'"kelurahan": [null, {_text(r.kelurahan)}], '
                  f'"kecamatan": [null, "{r.kecamatan}"], "active": [null, {json.dumps(r.active)}]',
                  r.row)
        for wid, r in zip(ids, rows, strict=True)))  # fmt: skip
    bulk_insert(ImportRecord, RECORD_FIELDS, (
        ("workers", r.key, wid, source, r.row, actor.username, now)
        for wid, r in zip(ids, rows, strict=True)))  # fmt: skip
    progress(1.0)
