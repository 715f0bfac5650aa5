"""Training records (pelatihan): one session attended by many workers, recorded in one action."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from peewee import JOIN, ModelSelect, chunked, fn

from psm_tui.core import audit, clock
from psm_tui.core.dto import Actor, WorkerInfo
from psm_tui.core.errors import NotFoundError, ValidationError
from psm_tui.core.reference import find_kecamatan
from psm_tui.core.users import require
from psm_tui.core.validation import parse_date, validate_text
from psm_tui.core.workers import WorkerFilter, get_worker, list_workers
from psm_tui.i18n import _, format_date
from psm_tui.store.database import db
from psm_tui.store.models import TrainingAttendance, TrainingSession, Worker
from psm_tui.store.rows import aliased

MAX_HOURS = 200.0  # a multi-week course, recorded as one session


@dataclass(frozen=True)
class TrainingInfo:
    id: int
    held_on: dt.date
    topic: str
    organiser: str
    hours: float
    attendees: int


@dataclass(frozen=True)
class TrainingDetail:
    training: TrainingInfo
    workers: list[WorkerInfo]


def _hours(value: str | float | int) -> float:
    try:
        hours = float(str(value).replace(",", "."))
    except ValueError:
        raise ValidationError(_("Hours must be a number, e.g. 6 or 2.5"), "hours") from None
    if not 0 < hours <= MAX_HOURS:
        raise ValidationError(
            _("Hours must be more than 0 and at most {max}").format(max=int(MAX_HOURS)), "hours"
        )
    return hours


def _attendees(worker_ids: Iterable[int], kecamatan: str | None, held_on: dt.date) -> list[int]:
    """The explicit workers, or every active worker of the kecamatan; each at most once."""
    if kecamatan:
        return [w.id for w in list_workers(WorkerFilter(kecamatan=find_kecamatan(kecamatan).code))]
    ids = list(dict.fromkeys(int(i) for i in worker_ids))
    rows = {w.id: w for w in Worker.select().where(Worker.id.in_(ids))} if ids else {}
    for worker_id in ids:
        worker = rows.get(worker_id)
        if worker is None:
            raise NotFoundError(_("Worker {id} not found").format(id=worker_id))
        if not worker.active and (worker.inactive_on is None or worker.inactive_on < held_on):
            raise ValidationError(
                _("{name} was inactive on {date}").format(
                    name=worker.name, date=format_date(held_on)
                ),
                "workers",
            )
    return ids


def record_training(
    actor: Actor,
    *,
    held_on: str | dt.date,
    topic: str,
    organiser: str,
    hours: str | float,
    worker_ids: Iterable[int] = (),
    kecamatan: str | None = None,
) -> TrainingDetail:
    """A training day for any number of workers: one transaction, one audit row with the list."""
    require(actor, "worker.manage")
    day = parse_date(held_on, "date")
    if day is None:
        raise ValidationError(_("Give the date of the training"), "date")
    if day > clock.today():
        raise ValidationError(_("A training is recorded once it has taken place"), "date")
    topic = validate_text(topic, "topic", limit=200)
    organiser = validate_text(organiser, "organiser", limit=120)
    if not topic:
        raise ValidationError(_("Give the topic of the training"), "topic")
    if not organiser:
        raise ValidationError(_("Give the organiser of the training"), "organiser")
    length = _hours(hours)
    worker_ids = list(worker_ids)
    if bool(worker_ids) == bool(kecamatan):
        raise ValidationError(_("Give either the workers or a kecamatan"), "workers")
    with db.atomic():
        ids = _attendees(worker_ids, kecamatan, day)
        if not ids:
            raise ValidationError(
                _("Nobody to record: the kecamatan has no active worker"), "workers"
            )
        session = TrainingSession.create(
            held_on=day,
            topic=topic,
            organiser=organiser,
            hours=length,
            created_by=actor.id,
            created_at=clock.now(),
        )
        for batch in chunked(ids, 200):
            TrainingAttendance.insert_many(
                [{"session": session.id, "worker": worker_id} for worker_id in batch]
            ).execute()
        audit.record(
            actor,
            "training.add",
            "training",
            session.id,
            {
                "held_on": [None, day.isoformat()],
                "topic": [None, topic],
                "organiser": [None, organiser],
                "hours": [None, length],
                "workers": [None, ids],
            },
        )
    return training_detail(session.id)


def _info_query() -> ModelSelect[TrainingSession]:
    return (
        TrainingSession.select(TrainingSession, fn.COUNT(TrainingAttendance.id).alias("n"))
        .join(TrainingAttendance, JOIN.LEFT_OUTER)
        .group_by(TrainingSession.id)
        .order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())
    )


def _info(row: TrainingSession) -> TrainingInfo:
    return TrainingInfo(
        row.id, row.held_on, row.topic, row.organiser, row.hours, int(aliased(row, "n"))
    )


def list_trainings(kecamatan: str | None = None) -> list[TrainingInfo]:
    """Sessions, newest first; with ``kecamatan``, those attended by someone working there now."""
    query = _info_query()
    if kecamatan:
        code = find_kecamatan(kecamatan).code
        local = (
            TrainingAttendance.select(TrainingAttendance.session)
            .join(Worker)
            .where(Worker.kecamatan == code)
        )
        query = query.where(TrainingSession.id.in_(local))
    return [_info(row) for row in query]


def training_detail(session_id: int) -> TrainingDetail:
    row = _info_query().where(TrainingSession.id == session_id).first()
    if row is None:
        raise NotFoundError(_("Training {id} not found").format(id=session_id))
    ids = [
        a.worker_id
        for a in TrainingAttendance.select(TrainingAttendance.worker)
        .where(TrainingAttendance.session == session_id)
        .order_by(TrainingAttendance.id)
    ]
    return TrainingDetail(_info(row), [get_worker(worker_id) for worker_id in ids])


def worker_trainings(worker_id: int) -> list[TrainingInfo]:
    attended = TrainingAttendance.select(TrainingAttendance.session).where(
        TrainingAttendance.worker == worker_id
    )
    return [_info(row) for row in _info_query().where(TrainingSession.id.in_(attended))]


def untrained_workers(kecamatan: str | None = None, kind: str | None = None) -> list[WorkerInfo]:
    """Active workers who have never attended a training, in roster order."""
    trained = {a.worker_id for a in TrainingAttendance.select(TrainingAttendance.worker).distinct()}
    everyone = list_workers(WorkerFilter(kecamatan=kecamatan, kind=kind))
    return [w for w in everyone if w.id not in trained]
