"""Sensitive cases (kasus terbatas): violence, trafficking, a child in conflict with the law.

A sensitive case is read in full only by supervisors and admins in its scope (citywide, or of
its kecamatan) and by the users named on it (``case_access``; the registering user is named
at intake). Anyone else in scope sees that the case exists, never who or what: lists, searches,
the dashboard queue and exports show it as "kasus terbatas" without client fields or category,
a search by name, NIK, No. KK or words never finds it, and opening it needs akses darurat
(:mod:`psm_tui.core.emergency`), audited, after which it reads in full until the access ends.
Supervisors mark cases and name users, audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from peewee import Expression, ModelSelect

from psm_tui.core import audit, clock
from psm_tui.core.dto import Actor
from psm_tui.core.errors import NotFoundError, OutOfScope
from psm_tui.core.pending_imports import visible
from psm_tui.core.reference import kelurahan_by_code
from psm_tui.core.users import audit_refusal, can, require
from psm_tui.i18n import _
from psm_tui.store.database import db
from psm_tui.store.models import Case, CaseAccess, EmergencyAccess, Kelurahan, StaffUser
from psm_tui.store.statements import Bind, inline

# PPKS codes (db/reference/ppks_kategori.csv) whose cases are sensitive from intake: 3 Anak yang
# Berhadapan dengan Hukum, 6 Anak Korban Tindak Kekerasan, 18 Korban Trafficking, 19 Korban
# Tindak Kekerasan. Migration 0015 marks existing cases of these categories the same way.
SENSITIVE_CATEGORIES = frozenset({3, 6, 18, 19})


def restricted_label() -> str:
    """What stands in for the client's name on a case the reader may not see in full."""
    return _("restricted case")


def _supervises(actor: Actor, kecamatan_code: str) -> bool:
    return can(actor, "case.restrict") and actor.kecamatan_code in (None, kecamatan_code)


def sees_every_case(actor: Actor | None) -> bool:
    """Internal callers and citywide supervisors and admins read every sensitive case."""
    return actor is None or (can(actor, "case.restrict") and actor.kecamatan_code is None)


def _opened_by(actor: Actor, bind: Bind = inline) -> list[ModelSelect[Any]]:
    """The cases naming ``actor``, and those they opened with akses darurat, still valid."""
    return [
        CaseAccess.select(CaseAccess.case).where(CaseAccess.user == bind(actor.id)),
        EmergencyAccess.select(EmergencyAccess.case).where(
            EmergencyAccess.user == bind(actor.id), EmergencyAccess.expires_at > bind(clock.now())
        ),
    ]


def opened_case_ids(actor: Actor, case_ids: Iterable[int]) -> set[int]:
    """Which of ``case_ids`` name ``actor`` or were opened by them with akses darurat today."""
    wanted = list(case_ids)
    if not wanted:
        return set()
    found: set[int] = set()
    for query in _opened_by(actor):
        found.update(row.case_id for row in query.where(query.model.case.in_(wanted)))
    return found


def hidden_ids(actor: Actor | None, rows: Iterable[tuple[int, bool, str]]) -> set[int]:
    """The ids among ``(case id, sensitive, kecamatan code)`` that ``actor`` sees restricted."""
    if sees_every_case(actor):
        return set()
    assert actor is not None
    candidates = {case_id for case_id, flag, kec in rows if flag and not _supervises(actor, kec)}
    return candidates - opened_case_ids(actor, candidates)


def full_condition(actor: Actor | None, bind: Bind = inline) -> Expression | None:
    """``case`` read in full by ``actor`` (None: every case is): the condition a search by
    who or what adds, so a restricted case is never found by its client or its words. A case
    opened with akses darurat reads in full until the access ends. Its values go through
    ``bind``; its structure is :func:`full_condition_shape`."""
    shape = full_condition_shape(actor)
    if shape is None:
        return None
    assert actor is not None
    named, granted = _opened_by(actor, bind)
    condition: Expression = (
        (Case.sensitive == False) | Case.id.in_(named) | Case.id.in_(granted)  # noqa: E712
    )
    if shape == "and the kecamatan supervised":
        kelurahan = Kelurahan.select(Kelurahan.code).where(
            Kelurahan.kecamatan == bind(actor.kecamatan_code)
        )
        condition = condition | Case.kelurahan.in_(kelurahan)
    return condition


def full_condition_shape(actor: Actor | None) -> str | None:
    """What :func:`full_condition`'s SQL depends on besides its values (None: no condition)."""
    if sees_every_case(actor):
        return None
    assert actor is not None
    if can(actor, "case.restrict") and actor.kecamatan_code:
        return "and the kecamatan supervised"
    return "named or opened"


def is_hidden(actor: Actor | None, case: Case) -> bool:
    """Whether ``actor`` sees ``case`` restricted (one case: its opening, a write to it)."""
    if not case.sensitive:
        return False
    kecamatan = kelurahan_by_code(case.kelurahan_code).kecamatan_code
    return case.id in hidden_ids(actor, [(case.id, True, kecamatan)])


def hides_client(actor: Actor | None, client_id: int) -> bool:
    """Whether ``actor`` may know a client only through restricted cases: every case of theirs
    is sensitive and not readable by ``actor`` (a client without cases hides nothing)."""
    full = full_condition(actor)
    if full is None:
        return False
    cases = Case.select().where(Case.client == client_id)
    return cases.exists() and not cases.where(full).exists()


def refuse(actor: Actor, case: Case) -> None:
    """Refuse (audited) opening a restricted case; akses darurat with a reason opens it."""
    audit_refusal(actor, "case", str(case.id), "sensitive case")
    raise OutOfScope(
        _(
            "Case {number} is a restricted case (kasus terbatas); "
            "open it with emergency access (akses darurat), giving a reason"
        ).format(number=case.number),
        number=case.number,
    )


def _case(number: str) -> Case:
    case = Case.get_or_none(Case.number == number.strip(), visible(Case.id))
    if case is None:
        raise NotFoundError(_("Case {number} not found").format(number=number))
    return case


def _require_supervisor(actor: Actor, case: Case) -> None:
    require(actor, "case.restrict", kelurahan_by_code(case.kelurahan_code).kecamatan_code)


def set_sensitive(actor: Actor, number: str, on: bool) -> bool:
    """Mark or unmark ``number`` as sensitive (supervisors, audited); whether it changed."""
    with db.atomic():
        case = _case(number)
        _require_supervisor(actor, case)
        if bool(case.sensitive) == on:
            return False
        Case.update(sensitive=on, version=Case.version + 1).where(Case.id == case.id).execute()
        audit.record(
            actor,
            "case.sensitive",
            "case",
            case.id,
            {"sensitive": [bool(case.sensitive), on]},
            case_number=case.number,
        )
    return True


def _user(username: str) -> StaffUser:
    user = StaffUser.get_or_none(StaffUser.username == username.strip())
    if user is None:
        raise NotFoundError(_("Unknown user {name}").format(name=username))
    return user


def name_creator(case_id: int, user_id: int) -> None:
    """Name the user who registered (or triaged) a case as sensitive on it, so their own case
    stays theirs to read; call inside that write's transaction."""
    if (
        not CaseAccess.select()
        .where(CaseAccess.case == case_id, CaseAccess.user == user_id)
        .exists()
    ):
        CaseAccess.create(case=case_id, user=user_id, added_by=user_id, added_at=clock.now())


def restrict(
    actor: Actor, number: str, *, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> list[str]:
    """Name users on ``number`` or remove them (supervisors, audited); the names after."""
    with db.atomic():
        case = _case(number)
        _require_supervisor(actor, case)
        for username in add:
            user = _user(username)
            if (
                not CaseAccess.select()
                .where(CaseAccess.case == case.id, CaseAccess.user == user.id)
                .exists()
            ):
                CaseAccess.create(
                    case=case.id, user=user.id, added_by=actor.id, added_at=clock.now()
                )
                audit.record(
                    actor,
                    "case.restrict",
                    "case",
                    case.id,
                    {"named": [None, user.username]},
                    case_number=case.number,
                )
        for username in remove:
            user = _user(username)
            removed = (
                CaseAccess.delete()
                .where(CaseAccess.case == case.id, CaseAccess.user == user.id)
                .execute()
            )
            if removed:
                audit.record(
                    actor,
                    "case.restrict",
                    "case",
                    case.id,
                    {"named": [user.username, None]},
                    case_number=case.number,
                )
        return named_users(case.id)


def named_users(case_id: int) -> list[str]:
    """The usernames named on a case, sorted."""
    query = (
        StaffUser.select(StaffUser.username)
        .join(CaseAccess, on=CaseAccess.user == StaffUser.id)
        .where(CaseAccess.case == case_id)
        .order_by(StaffUser.username)
    )
    return [row.username for row in query]
