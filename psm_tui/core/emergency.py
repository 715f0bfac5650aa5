"""Read scope and akses darurat (emergency access).

A viewer or operator with a kecamatan reads only that kecamatan's cases (see
:func:`psm_tui.core.users.read_scope`); lists and counts filter on it. Opening one case
outside the scope needs an emergency access: a stated reason, written to the audit log, valid
for that user and that case until the end of the day; so is a sensitive case the user may not
read in full (:mod:`psm_tui.core.sensitive`). Supervisors see every grant (``psm audit
--emergency``, and on their dashboard), the way "break the glass" access is reviewed elsewhere
(DHIS2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import OP, Expression, Field

from psm_tui.core import audit, clock, sensitive
from psm_tui.core.dto import Actor
from psm_tui.core.errors import NotFoundError, OutOfScope, ValidationError
from psm_tui.core.pending_imports import visible
from psm_tui.core.reference import kelurahan_by_code
from psm_tui.core.users import audit_refusal, read_scope, require
from psm_tui.core.validation import validate_text
from psm_tui.i18n import _
from psm_tui.store.database import db
from psm_tui.store.models import (
    Case,
    EmergencyAccess,
    FollowUp,
    Kecamatan,
    Kelurahan,
    StaffUser,
)
from psm_tui.store.rows import tuples
from psm_tui.store.search import unindexed

REASON_MIN = 10  # characters: enough for "klien datang ke kantor, butuh riwayat"


@dataclass(frozen=True)
class EmergencyGrant:
    id: int
    username: str
    full_name: str
    case_number: str
    kecamatan_name: str
    reason: str
    granted_at: dt.datetime
    expires_at: dt.datetime


def in_kecamatan(code: str, *, walk_order: bool = False) -> Expression:
    """``case`` in one kecamatan: its kelurahan, through the indexed ``kelurahan_code``; with
    ``walk_order`` the index is left to the page's ordering (see ``backend_search.unindexed``)."""
    return _kelurahan_of(Case.kelurahan, code, walk_order)


def followups_in_kecamatan(code: str, *, walk_order: bool = False) -> Expression:
    """``follow_up`` of a case in one kecamatan, through the follow-up's copy of its case's
    kelurahan (migration 0018): one index range per kelurahan, no list of the kecamatan's cases
    (at 1M cases, ~96k ids built on every call). ``walk_order``: as :func:`in_kecamatan`."""
    return _kelurahan_of(FollowUp.kelurahan_code, code, walk_order)


def _kelurahan_of(column: Field, code: str, walk_order: bool) -> Expression:
    """``column`` (a kelurahan code) among the kelurahan of kecamatan ``code``."""
    kelurahan = Kelurahan.select(Kelurahan.code).where(Kelurahan.kecamatan == code)
    return Expression(unindexed(column) if walk_order else column, OP.IN, kelurahan)


def followup_scope(actor: Actor | None, *, walk_order: bool = False) -> list[Expression]:
    """The condition limiting a follow-up query to the cases ``actor`` may read."""
    scope = read_scope(actor)
    return [followups_in_kecamatan(scope, walk_order=walk_order)] if scope else []


def _has_grant(actor: Actor, case_id: int) -> bool:
    return (
        EmergencyAccess.select()
        .where(
            EmergencyAccess.user == actor.id,
            EmergencyAccess.case == case_id,
            EmergencyAccess.expires_at > clock.now(),
        )
        .exists()
    )


def check_restricted(actor: Actor | None, case: Case) -> None:
    """Refuse (audited) a sensitive case ``actor`` may not read in full, unless they hold an
    emergency access to it."""
    if actor is not None and sensitive.is_hidden(actor, case) and not _has_grant(actor, case.id):
        sensitive.refuse(actor, case)


def check_read(actor: Actor | None, case: Case) -> None:
    """Refuse (audited) a case outside ``actor``'s scope, or a sensitive case ``actor`` may not
    read in full, unless they hold an emergency access to it."""
    if actor is None:
        return
    check_restricted(actor, case)
    scope = read_scope(actor)
    if scope is None:
        return
    kelurahan = kelurahan_by_code(case.kelurahan_code)
    if kelurahan.kecamatan_code == scope or _has_grant(actor, case.id):
        return
    audit_refusal(actor, "case", str(case.id), f"out of scope {kelurahan.kecamatan_code}")
    raise OutOfScope(
        _(
            "Case {number} is in Kec. {other}, outside your scope; "
            "open it with emergency access (akses darurat), giving a reason"
        ).format(number=case.number, other=kelurahan.kecamatan_name),
        number=case.number,
    )


def grant(actor: Actor, number: str, reason: str) -> EmergencyGrant | None:
    """Open ``number`` for ``actor`` until the end of today; None if it is in scope and not
    restricted (:mod:`psm_tui.core.sensitive`) anyway."""
    require(actor, "case.emergency")
    text = validate_text(reason, "reason", required=True, limit=500)
    if len(text) < REASON_MIN:
        raise ValidationError(
            _("Say why you need this case (at least {count} characters)").format(count=REASON_MIN),
            "reason",
        )
    case = Case.get_or_none(Case.number == number.strip(), visible(Case.id))
    if case is None:
        raise NotFoundError(_("Case {number} not found").format(number=number))
    scope = read_scope(actor)
    in_scope = scope is None or kelurahan_by_code(case.kelurahan_code).kecamatan_code == scope
    if in_scope and not sensitive.is_hidden(actor, case):
        return None
    now = clock.now()
    expires = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time())
    with db.atomic():
        row = EmergencyAccess.create(
            user=actor.id, case=case.id, reason=text, granted_at=now, expires_at=expires
        )
        audit.record(
            actor,
            "case.emergency",
            "case",
            case.id,
            {"reason": [None, text], "expires_at": [None, expires]},
            detail=text,
            case_number=case.number,
        )
    return _grants(EmergencyAccess.id == row.id)[0]


def _grants(*conditions: Expression, limit: int = 1000) -> list[EmergencyGrant]:
    conditions = conditions or (EmergencyAccess.id.is_null(False),)
    query = (
        EmergencyAccess.select(
            EmergencyAccess.id,
            StaffUser.username,
            StaffUser.full_name,
            Case.number,
            Kecamatan.name,
            EmergencyAccess.reason,
            EmergencyAccess.granted_at,
            EmergencyAccess.expires_at,
        )
        .join(StaffUser)
        .switch(EmergencyAccess)
        .join(Case)
        .join(Kelurahan)
        .join(Kecamatan)
        .where(*conditions)
        .order_by(EmergencyAccess.granted_at.desc(), EmergencyAccess.id.desc())
        .limit(limit)
    )
    return [EmergencyGrant(*row) for row in tuples(query)]


def recent(days: int = 7, limit: int = 10) -> list[EmergencyGrant]:
    """The newest grants of the last ``days`` days (for a supervisor's dashboard)."""
    start = dt.datetime.combine(clock.today() - dt.timedelta(days=days - 1), dt.time())
    return _grants(EmergencyAccess.granted_at >= start, limit=limit)


def list_grants(
    actor: Actor, *, since: dt.date | None = None, limit: int = 1000
) -> list[EmergencyGrant]:
    """Every emergency access (newest first), for supervisors; reading them is audited."""
    require(actor, "emergency.list")
    conditions = []
    if since:
        conditions.append(EmergencyAccess.granted_at >= dt.datetime.combine(since, dt.time()))
    found = _grants(*conditions, limit=limit)
    audit.record(actor, "audit.read", "audit", None, detail="emergency")
    return found
