"""PSM and TKSK: the roster, with open caseload derived from the cases (never stored)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN, ModelSelect, fn

from psm_tui.core import audit, clock
from psm_tui.core.bank import bank_changes, masked_diff
from psm_tui.core.dto import Actor, WorkerInfo
from psm_tui.core.errors import ConflictError, NotFoundError, ValidationError
from psm_tui.core.labels import HELD_STATUSES, WORKER_KINDS
from psm_tui.core.pending_imports import visible
from psm_tui.core.reference import find_kecamatan, find_kelurahan
from psm_tui.core.timeline import render
from psm_tui.core.users import require
from psm_tui.core.validation import (
    parse_date,
    validate_name,
    validate_nik,
    validate_phone,
    validate_text,
)
from psm_tui.i18n import _
from psm_tui.store.database import db
from psm_tui.store.models import Case, Kecamatan, Kelurahan, Worker
from psm_tui.store.rows import aliased


@dataclass(frozen=True)
class WorkerFilter:
    kind: str | None = None
    kecamatan: str | None = None
    kelurahan: str | None = None
    active: bool | None = True
    search: str | None = None


def _query() -> ModelSelect[Worker]:
    return (
        Worker.select(Worker, Kelurahan, Kecamatan, fn.COUNT(Case.id).alias("open_cases"))
        .join(Kecamatan, on=(Worker.kecamatan == Kecamatan.code))
        .switch(Worker)
        .join(Kelurahan, JOIN.LEFT_OUTER, on=(Worker.kelurahan == Kelurahan.code))
        .switch(Worker)
        .join(
            Case,
            JOIN.LEFT_OUTER,
            on=((Case.worker == Worker.id) & (Case.status.in_(HELD_STATUSES)) & visible(Case.id)),
        )
        .where(visible(Worker.id))
        .group_by(Worker.id, Kelurahan.code, Kecamatan.code)
    )


def _info(row: Worker) -> WorkerInfo:
    kel = row.kelurahan if row.kelurahan_code else None
    return WorkerInfo(
        id=row.id,
        name=row.name,
        kind=row.kind,
        nik=row.nik,
        phone=row.phone,
        kelurahan_code=kel.code if kel else None,
        kelurahan_name=kel.name if kel else None,
        kecamatan_code=row.kecamatan.code,
        kecamatan_name=row.kecamatan.name,
        active=row.active,
        joined_on=row.joined_on,
        open_cases=int(aliased(row, "open_cases")),
        inactive_reason=render(row.inactive_reason) if row.inactive_reason else None,
    )


def list_workers(filters: WorkerFilter = WorkerFilter()) -> list[WorkerInfo]:
    query = _query()
    if filters.kind:
        query = query.where(Worker.kind == filters.kind)
    if filters.kecamatan:
        query = query.where(Worker.kecamatan == find_kecamatan(filters.kecamatan).code)
    if filters.kelurahan:
        query = query.where(Worker.kelurahan == find_kelurahan(filters.kelurahan).code)
    if filters.active is not None:
        query = query.where(Worker.active == filters.active)
    if filters.search:
        query = query.where(Worker.name ** f"%{filters.search.strip()}%")
    order = (Worker.kecamatan, Worker.kind.desc(), Worker.kelurahan, Worker.name)
    return [_info(row) for row in query.order_by(*order)]


def get_worker(worker_id: int) -> WorkerInfo:
    row = _query().where(Worker.id == worker_id).first()
    if row is None:
        raise NotFoundError(_("Worker {id} not found").format(id=worker_id))
    return _info(row)


def open_caseload(worker_id: int) -> int:
    return Case.select().where(Case.worker == worker_id, Case.status.in_(HELD_STATUSES)).count()


def add_worker(
    actor: Actor,
    *,
    kind: str,
    name: str,
    kelurahan: str | None = None,
    kecamatan: str | None = None,
    nik: str | None = None,
    phone: str | None = None,
    joined_on: str | dt.date | None = None,
) -> WorkerInfo:
    """A PSM belongs to a kelurahan; a TKSK to a kecamatan (one active TKSK per kecamatan)."""
    require(actor, "worker.manage")
    kind = (kind or "").strip().lower()
    if kind not in WORKER_KINDS:
        raise ValidationError(_("Worker kind must be psm or tksk"), "kind")
    name = validate_name(name)
    nik = validate_nik(nik)
    phone = validate_phone(phone)
    joined = parse_date(joined_on, "joined_on") or clock.today()
    if kind == "psm":
        if not kelurahan:
            raise ValidationError(_("A PSM needs a kelurahan"), "kelurahan")
        kel = find_kelurahan(kelurahan, kecamatan)
        kel_code, kec_code = kel.code, kel.kecamatan_code
    else:
        if not kecamatan:
            raise ValidationError(_("A TKSK needs a kecamatan"), "kecamatan")
        kel_code, kec_code = None, find_kecamatan(kecamatan).code
    with db.atomic():
        if nik and Worker.get_or_none(Worker.nik == nik):
            raise ConflictError(_("A worker with NIK {nik} already exists").format(nik=nik))
        if kind == "tksk" and Worker.get_or_none(
            Worker.kind == "tksk",
            Worker.kecamatan == kec_code,
            Worker.active == True,  # noqa: E712
        ):
            raise ConflictError(_("This kecamatan already has an active TKSK"))
        worker = Worker.create(
            kind=kind,
            name=name,
            nik=nik,
            phone=phone,
            kelurahan=kel_code,
            kecamatan=kec_code,
            joined_on=joined,
        )
        audit.record(
            actor,
            "worker.add",
            "worker",
            worker.id,
            {
                "kind": [None, kind],
                "name": [None, name],
                "kelurahan": [None, kel_code],
                "kecamatan": [None, kec_code],
            },
        )
    return get_worker(worker.id)


def edit_worker(
    actor: Actor,
    worker_id: int,
    *,
    name: str | None = None,
    phone: str | None = None,
    nik: str | None = None,
    bank: str | None = None,
    account: str | None = None,
    holder: str | None = None,
) -> WorkerInfo:
    """Correct what is given; ``""`` clears a bank detail. The audit row masks the account."""
    require(actor, "worker.manage")
    changes: dict[str, object] = {}
    if name is not None:
        changes["name"] = validate_name(name)
    if phone is not None:
        changes["phone"] = validate_phone(phone)
    if nik is not None:
        changes["nik"] = validate_nik(nik)
    changes.update(bank_changes(bank, account, holder))
    with db.atomic():
        worker = Worker.get_or_none(Worker.id == worker_id)
        if worker is None:
            raise NotFoundError(_("Worker {id} not found").format(id=worker_id))
        if changes.get("nik") and Worker.get_or_none(
            Worker.nik == changes["nik"], Worker.id != worker_id
        ):
            raise ConflictError(
                _("A worker with NIK {nik} already exists").format(nik=changes["nik"])
            )
        before = {key: getattr(worker, key) for key in changes}
        if changes:
            Worker.update(**changes).where(Worker.id == worker_id).execute()
            audit.record(actor, "worker.edit", "worker", worker_id, masked_diff(before, changes))
    return get_worker(worker_id)


def deactivate_worker(actor: Actor, worker_id: int, reason: str) -> WorkerInfo:
    """Refused while the worker still holds open cases: hand them over first."""
    require(actor, "worker.manage")
    reason = validate_text(reason, "reason", limit=500)
    if not reason:
        raise ValidationError(_("Give the reason for deactivating"), "reason")
    with db.atomic():
        worker = Worker.get_or_none(Worker.id == worker_id)
        if worker is None:
            raise NotFoundError(_("Worker {id} not found").format(id=worker_id))
        if not worker.active:
            raise ConflictError(_("Worker {name} is already inactive").format(name=worker.name))
        held = open_caseload(worker_id)
        if held:
            raise ConflictError(
                _("{name} still holds {count} open cases; reassign them first").format(
                    name=worker.name, count=held
                )
            )
        today = clock.today()
        Worker.update(active=False, inactive_reason=reason, inactive_on=today).where(
            Worker.id == worker_id
        ).execute()
        audit.record(
            actor,
            "worker.deactivate",
            "worker",
            worker_id,
            {"active": [True, False], "inactive_reason": [None, reason]},
        )
    return get_worker(worker_id)
