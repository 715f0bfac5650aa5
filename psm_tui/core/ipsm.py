"""IPSM, the PSM association: positions at city, kecamatan or kelurahan level, with terms.

Terms are inclusive (``end_on`` is the last day in office, as an SK's "s.d." reads); an open
``end_on`` means the term runs on. Ketua, sekretaris and bendahara have one holder per unit at a
time; anyone may be anggota, but nobody holds two overlapping terms at the same unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import ModelSelect

from psm_tui.core import audit, clock
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ConflictError, NotFoundError, ValidationError
from psm_tui.core.labels import normalise_choice
from psm_tui.core.reference import (
    all_kecamatan,
    find_kecamatan,
    find_kelurahan,
    kelurahan_by_code,
)
from psm_tui.core.users import require
from psm_tui.core.validation import parse_date
from psm_tui.i18n import _, format_date
from psm_tui.store.database import db
from psm_tui.store.models import IpsmPosition, Worker

POSITIONS = ("ketua", "sekretaris", "bendahara", "anggota")
SINGLE_HOLDER = ("ketua", "sekretaris", "bendahara")
LEVELS = ("kota", "kecamatan", "kelurahan")
CITY_CODE = "36.71"
CITY_NAME = "Kota Tangerang"


@dataclass(frozen=True)
class PositionInfo:
    id: int
    worker_id: int
    worker_name: str
    position: str
    level: str
    unit_code: str
    unit_name: str
    start_on: dt.date
    end_on: dt.date | None


def position_label(position: str) -> str:
    return {
        "ketua": _("chair"),
        "sekretaris": _("secretary"),
        "bendahara": _("treasurer"),
        "anggota": _("member"),
    }.get(position, position)


def level_label(level: str) -> str:
    return {"kota": _("city"), "kecamatan": "kecamatan", "kelurahan": "kelurahan"}.get(level, level)


def _unit_names() -> dict[str, str]:
    names = {CITY_CODE: CITY_NAME}
    names.update({k.code: f"Kec. {k.name}" for k in all_kecamatan()})
    return names


def _unit_name(code: str, names: dict[str, str]) -> str:
    return names.get(code) or kelurahan_by_code(code).label


def _info(row: IpsmPosition, names: dict[str, str]) -> PositionInfo:
    return PositionInfo(
        row.id,
        row.worker.id,
        row.worker.name,
        row.position,
        row.level,
        row.unit_code,
        _unit_name(row.unit_code, names),
        row.start_on,
        row.end_on,
    )


def _term(start: dt.date, end: dt.date | None) -> str:
    if end is None:
        return _("from {start}").format(start=format_date(start))
    return _("{start} to {end}").format(start=format_date(start), end=format_date(end))


def _unit(level: str, unit: str | None, worker: Worker) -> str:
    """The unit's code; with no unit given, the worker's own kecamatan or kelurahan."""
    if level == "kota":
        return CITY_CODE
    if level == "kecamatan":
        return find_kecamatan(unit).code if unit else worker.kecamatan_code
    if unit:
        return find_kelurahan(unit).code
    if not worker.kelurahan_code:
        raise ValidationError(_("Give the kelurahan"), "unit")
    return worker.kelurahan_code


def _overlapping(
    level: str, unit_code: str, start: dt.date, end: dt.date | None
) -> ModelSelect[IpsmPosition]:
    query = (
        IpsmPosition.select(IpsmPosition, Worker)
        .join(Worker)
        .where(
            IpsmPosition.level == level,
            IpsmPosition.unit_code == unit_code,
            IpsmPosition.end_on.is_null() | (IpsmPosition.end_on >= start),
        )
    )
    if end is not None:
        query = query.where(IpsmPosition.start_on <= end)
    return query


def set_position(
    actor: Actor,
    worker_id: int,
    *,
    position: str,
    level: str,
    start_on: str | dt.date,
    end_on: str | dt.date | None = None,
    unit: str | None = None,
) -> PositionInfo:
    """Give a PSM a term; refused when it overlaps a term for the same position at the same unit."""
    require(actor, "worker.manage")
    role = normalise_choice(position or "", POSITIONS)
    if role is None:
        raise ValidationError(
            _("Position must be one of {options}").format(options=", ".join(POSITIONS)), "position"
        )
    tier = (
        "kota" if (level or "").strip().lower() == "city" else normalise_choice(level or "", LEVELS)
    )
    if tier is None:
        raise ValidationError(_("Level must be city, kecamatan or kelurahan"), "level")
    start = parse_date(start_on, "start")
    end = parse_date(end_on, "end")
    if start is None:
        raise ValidationError(_("Give the start of the term"), "start")
    if end is not None and end < start:
        raise ValidationError(_("A term cannot end before it starts"), "end")
    with db.atomic():
        worker = Worker.get_or_none(Worker.id == worker_id)
        if worker is None:
            raise NotFoundError(_("Worker {id} not found").format(id=worker_id))
        if worker.kind != "psm":
            raise ConflictError(_("Only a PSM can hold an IPSM position"))
        unit_code = _unit(tier, unit, worker)
        names = _unit_names()
        unit_name = _unit_name(unit_code, names)
        if end is None or end >= clock.today():
            _check_current_member(worker, tier, unit_code, unit_name)
        for other in _overlapping(tier, unit_code, start, end):
            if other.worker_id == worker.id:
                raise ConflictError(
                    _("{name} already holds {position} at {unit} ({term})").format(
                        name=worker.name,
                        position=position_label(other.position),
                        unit=unit_name,
                        term=_term(other.start_on, other.end_on),
                    )
                )
            if role in SINGLE_HOLDER and other.position == role:
                raise ConflictError(
                    _("{position} of {unit} is held by {name} ({term}); the terms overlap").format(
                        position=position_label(role),
                        unit=unit_name,
                        name=other.worker.name,
                        term=_term(other.start_on, other.end_on),
                    )
                )
        row = IpsmPosition.create(
            worker=worker.id,
            position=role,
            level=tier,
            unit_code=unit_code,
            start_on=start,
            end_on=end,
            created_by=actor.id,
            created_at=clock.now(),
        )
        audit.record(
            actor,
            "ipsm.set",
            "ipsm_position",
            row.id,
            {
                "worker": [None, worker.id],
                "position": [None, role],
                "level": [None, tier],
                "unit": [None, unit_code],
                "start_on": [None, start],
                "end_on": [None, end],
            },
        )
    return _info(IpsmPosition.get_by_id(row.id), names)


def _check_current_member(worker: Worker, level: str, unit_code: str, unit_name: str) -> None:
    """A current or future term needs an active PSM who works in that unit."""
    if not worker.active:
        raise ConflictError(_("{name} is inactive").format(name=worker.name))
    belongs = (
        level == "kota"
        or (level == "kecamatan" and worker.kecamatan_code == unit_code)
        or (level == "kelurahan" and worker.kelurahan_code == unit_code)
    )
    if not belongs:
        raise ConflictError(
            _("{name} does not work in {unit}").format(name=worker.name, unit=unit_name)
        )


def end_position(
    actor: Actor, position_id: int, end_on: str | dt.date | None = None
) -> PositionInfo:
    """End a term on ``end_on`` (today by default); a term is only ever shortened."""
    require(actor, "worker.manage")
    end = parse_date(end_on, "end") or clock.today()
    with db.atomic():
        row = IpsmPosition.get_or_none(IpsmPosition.id == position_id)
        if row is None:
            raise NotFoundError(_("IPSM position {id} not found").format(id=position_id))
        if end < row.start_on:
            raise ValidationError(_("A term cannot end before it starts"), "end")
        if row.end_on is not None and row.end_on <= end:
            raise ConflictError(
                _("That term already ended on {date}").format(date=format_date(row.end_on))
            )
        close_term(actor, row, end)
    return _info(IpsmPosition.get_by_id(position_id), _unit_names())


def close_term(actor: Actor, row: IpsmPosition, on: dt.date) -> None:
    """End a term on ``on``, or cancel it if it had not begun; inside the caller's transaction."""
    if row.start_on > on:
        IpsmPosition.delete().where(IpsmPosition.id == row.id).execute()
        audit.record(
            actor,
            "ipsm.cancel",
            "ipsm_position",
            row.id,
            {"worker": [row.worker_id, None], "position": [row.position, None]},
        )
        return
    IpsmPosition.update(end_on=on).where(IpsmPosition.id == row.id).execute()
    audit.record(actor, "ipsm.end", "ipsm_position", row.id, {"end_on": [row.end_on, on]})


def _ordered(rows: list[PositionInfo]) -> list[PositionInfo]:
    return sorted(
        rows,
        key=lambda p: (
            LEVELS.index(p.level),
            p.unit_code,
            POSITIONS.index(p.position),
            p.worker_name,
            p.start_on,
        ),
    )


def board(at: str | dt.date | None = None, kecamatan: str | None = None) -> list[PositionInfo]:
    """Who holds which position on ``at`` (today by default): city first, then each unit."""
    day = parse_date(at, "date") or clock.today()
    query = (
        IpsmPosition.select(IpsmPosition, Worker)
        .join(Worker)
        .where(
            IpsmPosition.start_on <= day,
            IpsmPosition.end_on.is_null() | (IpsmPosition.end_on >= day),
        )
    )
    if kecamatan:
        code = find_kecamatan(kecamatan).code
        query = query.where(
            (IpsmPosition.unit_code == code) | IpsmPosition.unit_code.startswith(code + ".")
        )
    names = _unit_names()
    return _ordered([_info(row, names) for row in query])


def worker_positions(worker_id: int) -> list[PositionInfo]:
    """Every term the worker held or holds, newest first."""
    names = _unit_names()
    query = (
        IpsmPosition.select(IpsmPosition, Worker)
        .join(Worker)
        .where(IpsmPosition.worker == worker_id)
        .order_by(IpsmPosition.start_on.desc(), IpsmPosition.id.desc())
    )
    return [_info(row, names) for row in query]
