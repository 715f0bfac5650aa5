"""Social-protection programmes (PBI-JK, PKH, BPNT, ...) and a client's enrolments in them.

What a family receives used to live only in free-text follow-up outcomes; as enrolments it can
be asked ("open cases whose client has no PBI-JK"). The list is reference data
(db/reference/programmes.csv) that admins may extend or correct.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import Expression, fn

from psm_tui.core import audit, clock
from psm_tui.core.dto import Actor, EnrolmentInfo, Ref
from psm_tui.core.emergency import in_kecamatan
from psm_tui.core.errors import NotFoundError, ValidationError
from psm_tui.core.labels import OPEN_STATUSES
from psm_tui.core.pending_imports import visible
from psm_tui.core.reference import fold, kelurahan_by_code
from psm_tui.core.users import read_scope, require
from psm_tui.core.validation import parse_date, validate_name, validate_text
from psm_tui.i18n import _
from psm_tui.store.database import db
from psm_tui.store.models import Case, Client, Enrolment, FollowUp, Programme
from psm_tui.store.rows import tuples

ENROLMENT_STATUSES = ("diusulkan", "aktif", "berhenti")
HEALTH_COVER = "PBI-JK"  # the programme the summary figure asks about


def enrolment_status_label(status: str) -> str:
    return {
        "diusulkan": _("proposed"),
        "aktif": _("active"),
        "berhenti": _("ended"),
    }.get(status, status)


def load_programmes(rows: list[dict[str, str]]) -> int:
    """Add the shipped programmes that are missing; an admin's corrections are left as they are.
    Returns how many programmes the list holds."""
    with db.atomic():
        for row in rows:
            Programme.insert(code=row["kode"], name=row["nama"]).on_conflict_ignore().execute()
    return int(Programme.select().count())


def all_programmes(*, active_only: bool = True) -> list[Ref]:
    query = Programme.select().order_by(Programme.code)
    if active_only:
        query = query.where(Programme.active)
    return [Ref(p.code, p.name) for p in query]


def find_programme(text: str) -> Ref:
    wanted = fold(text)
    for programme in Programme.select():
        if wanted in (fold(programme.code), fold(programme.name)):
            return Ref(programme.code, programme.name)
    raise NotFoundError(
        _("Unknown programme {code}. Known: {options}").format(
            code=text, options=", ".join(p.code for p in all_programmes())
        )
    )


def save_programme(actor: Actor, code: str, name: str, *, active: bool = True) -> Ref:
    """Add a programme to the list or correct one (admins): the list is the office's own."""
    require(actor, "programme.manage")
    code = validate_text(code, "code", required=True, limit=16).upper().replace(" ", "-")
    name = validate_name(name)
    with db.atomic():
        old = Programme.get_or_none(Programme.code == code)
        before = {"name": old.name, "active": old.active} if old else {}
        after = {"name": name, "active": active}
        Programme.insert(code=code, name=name, active=active).on_conflict(
            conflict_target=[Programme.code],
            update={Programme.name: name, Programme.active: active},
        ).execute()
        audit.record(actor, "programme.save", "programme", code, audit.diff(before, after))
    return Ref(code, name)


def _info(row: Enrolment, name: str) -> EnrolmentInfo:
    return EnrolmentInfo(
        row.id,
        row.client_id,
        Ref(row.programme_code, name),
        row.status,
        row.start_on,
        row.end_on,
        row.source,
        row.followup_id,
    )


def enrolments_of(client_ids: list[int]) -> dict[int, list[EnrolmentInfo]]:
    """Every enrolment of these clients, newest first, by client id."""
    found: dict[int, list[EnrolmentInfo]] = {client_id: [] for client_id in client_ids}
    if not client_ids:
        return found
    query = (
        Enrolment.select(Enrolment, Programme)
        .join(Programme)
        .where(Enrolment.client.in_(client_ids))
        .order_by(Enrolment.created_at.desc(), Enrolment.id.desc())
    )
    for row in query:
        found[row.client_id].append(_info(row, row.programme.name))
    return found


def _status(value: str) -> str:
    status = value.strip().lower()
    if status not in ENROLMENT_STATUSES:
        raise ValidationError(
            _("Unknown enrolment status {status}; use one of {choices}").format(
                status=value, choices=", ".join(ENROLMENT_STATUSES)
            ),
            "status",
        )
    return status


def enrol(
    actor: Actor,
    client_id: int,
    programme: str,
    *,
    status: str = "aktif",
    start_on: str | dt.date | None = None,
    end_on: str | dt.date | None = None,
    source: str = "",
    followup_id: int | None = None,
) -> EnrolmentInfo:
    """Record that a client is proposed for, receives, or no longer receives a programme."""
    client = Client.get_or_none(Client.id == client_id)
    if client is None:
        raise NotFoundError(_("Client {id} not found").format(id=client_id))
    require(actor, "client.edit", kelurahan_by_code(client.kelurahan_code).kecamatan_code)
    ref = find_programme(programme)
    start, end = parse_date(start_on, "start_on"), parse_date(end_on, "end_on")
    values = {
        "programme": ref.code,
        "status": _status(status),
        "start_on": start,
        "end_on": end,
        "source": validate_text(source, "source", limit=120),
    }
    if followup_id is not None and not (
        FollowUp.select()
        .join(Case)
        .where(FollowUp.id == followup_id, Case.client == client.id)
        .exists()
    ):
        raise ValidationError(
            _("Follow-up {id} is not about this client").format(id=followup_id), "followup"
        )
    if start and end and end < start:
        raise ValidationError(_("The end date is before the start date"), "end_on")
    with db.atomic():
        row = Enrolment.create(
            client=client.id,
            followup=followup_id,
            created_by=actor.id,
            created_at=clock.now(),
            **values,
        )
        audit.record(
            actor,
            "enrolment.add",
            "client",
            client.id,
            {key: [None, value] for key, value in values.items() if value},
        )
    return _info(row, ref.name)


def enrol_from_followup(
    actor: Actor, followup_id: int, programme: str, *, status: str = "aktif"
) -> EnrolmentInfo:
    """The outcome of a follow-up recorded as an enrolment of the case's client, from today."""
    row = FollowUp.get_or_none(FollowUp.id == followup_id)
    if row is None:
        raise NotFoundError(_("Follow-up {id} not found").format(id=followup_id))
    case = Case.get_by_id(row.case_id)
    source = f"{row.opd_code} #{row.id} ({case.number})"  # codes: read alike in any language
    return enrol(
        actor,
        case.client_id,
        programme,
        status=status,
        start_on=clock.today() if status == "aktif" else None,
        source=source,
        followup_id=row.id,
    )


def without_programme(code: str) -> Expression:
    """``case`` whose client is not actively enrolled in ``code`` (a condition on case alone)."""
    enrolled = Enrolment.select(Enrolment.client).where(
        Enrolment.programme == code, Enrolment.status == "aktif"
    )
    return Case.client.not_in(enrolled)


@dataclass(frozen=True)
class ProgrammeFigure:
    """How many clients a programme reaches, by enrolment status."""

    programme: Ref
    proposed: int
    active: int
    ended: int


def summary(actor: Actor) -> tuple[list[ProgrammeFigure], int]:
    """Each programme's clients by status, and the open cases (in ``actor``'s scope) whose
    client has no active PBI-JK: the figure the issue asks for."""
    require(actor, "read")
    counts: dict[tuple[str, str], int] = {}
    query = Enrolment.select(
        Enrolment.programme, Enrolment.status, fn.COUNT(fn.DISTINCT(Enrolment.client))
    ).group_by(Enrolment.programme, Enrolment.status)
    for code, status, count in tuples(query):
        counts[(code, status)] = int(count)
    figures = [
        ProgrammeFigure(
            ref,
            counts.get((ref.code, "diusulkan"), 0),
            counts.get((ref.code, "aktif"), 0),
            counts.get((ref.code, "berhenti"), 0),
        )
        for ref in all_programmes(active_only=False)
    ]
    uncovered = Case.select().where(
        Case.status.in_(OPEN_STATUSES), without_programme(HEALTH_COVER), visible(Case.id)
    )
    scope = read_scope(actor)
    if scope:
        uncovered = uncovered.where(in_kecamatan(scope))
    return figures, uncovered.count()
