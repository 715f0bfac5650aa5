"""Writing cases: registration, triage, status transitions and notes, with optimistic locking."""

from __future__ import annotations

import datetime as dt
import difflib

from psm_tui.core import audit, clock, emergency, sensitive
from psm_tui.core.case_queries import case_detail, case_row, mask_nik
from psm_tui.core.clients import client_row, create_client, outside_scope
from psm_tui.core.dto import Actor, CaseDetail, DuplicateHint, RegisterResult
from psm_tui.core.errors import ConflictError, StaleVersionError, ValidationError
from psm_tui.core.followups import cancel_open_followups
from psm_tui.core.labels import (
    NOTE_KINDS,
    PRIORITIES,
    SOURCES,
    normalise_choice,
)
from psm_tui.core.pending_imports import visible
from psm_tui.core.reference import find_category, find_kelurahan, kelurahan_by_code
from psm_tui.core.timeline import Fact, encode, fact
from psm_tui.core.users import can, read_scope, require
from psm_tui.core.validation import (
    validate_birth_date,
    validate_kk,
    validate_name,
    validate_nik,
    validate_phone,
    validate_rt_rw,
    validate_sex,
    validate_text,
)
from psm_tui.i18n import _, format_datetime
from psm_tui.store.database import db
from psm_tui.store.models import Activity, Assignment, Case, CaseCounter, Client, StaffUser, Worker

# status -> the statuses it may move to by a status change (assignment moves baru -> ditugaskan).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "baru": ("ditutup",),
    "ditugaskan": ("ditangani", "ditutup"),
    "ditangani": ("selesai", "ditutup"),
    "selesai": ("ditutup", "ditangani"),
    "ditutup": ("ditangani",),
}
REOPEN_FROM = ("selesai", "ditutup")
ENDING = ("selesai", "ditutup")  # where a case's open follow-ups are no longer needed


def status_permission(current: str, target: str) -> str:
    """The permission a move needs: reopening and closing are a supervisor's."""
    if current in REOPEN_FROM and target == "ditangani":
        return "case.reopen"
    return "case.close" if target == "ditutup" else "case.status"


def status_choices(actor: Actor, current: str) -> tuple[str, ...]:
    """The statuses ``actor`` may move a case in ``current`` to: what a dialog offers."""
    return tuple(
        t for t in TRANSITIONS.get(current, ()) if can(actor, status_permission(current, t))
    )


def choice(value: str | None, choices: tuple[str, ...], field: str, default: str) -> str:
    if value is None or not value.strip():
        return default
    key = normalise_choice(value, choices)
    if key is None:
        raise ValidationError(
            _("{value} is not a valid {field}; use one of {choices}").format(
                value=value, field=field, choices=", ".join(choices)
            ),
            field,
        )
    return key


def next_case_number(year: int) -> str:
    """Take the next number of ``year``; call inside the registering (IMMEDIATE) transaction."""
    CaseCounter.insert(year=year, last=0).on_conflict_ignore().execute()
    CaseCounter.update(last=CaseCounter.last + 1).where(CaseCounter.year == year).execute()
    last = CaseCounter.get_by_id(year).last
    return f"{year}-{last:06d}"


def find_duplicates(
    name: str,
    kelurahan_code: str,
    nik: str | None = None,
    kk: str | None = None,
    actor: Actor | None = None,
) -> list[DuplicateHint]:
    """Clients that may be the same person or household: same NIK, same No. KK, similar name.

    NIKs come back masked for ``actor``; a client outside their read scope comes back without
    any detail, only saying that one exists (a supervisor can look)."""
    hints: dict[int, DuplicateHint] = {}
    scope = read_scope(actor)

    def add(client: Client, reason: str) -> None:
        if client.id in hints:
            return
        if outside_scope(client, scope):
            elsewhere = _("a case for this NIK exists in another kecamatan; ask a supervisor")
            if reason == _("same No. KK"):
                elsewhere = _(
                    "a case for this No. KK exists in another kecamatan; ask a supervisor"
                )
            hints[client.id] = DuplicateHint(client.id, "", None, "", elsewhere, hidden=True)
            return
        if sensitive.hides_client(actor, client.id):
            restricted = _("this person has a restricted case; ask a supervisor")
            hints[client.id] = DuplicateHint(client.id, "", None, "", restricted, hidden=True)
            return
        label = kelurahan_by_code(client.kelurahan_code).label
        nik = mask_nik(client.nik, actor) if actor else client.nik
        hints[client.id] = DuplicateHint(client.id, client.name, nik, label, reason)

    if nik:
        for client in Client.select().where(Client.nik == nik, visible(Client.id)):
            add(client, _("same NIK"))
    if kk:
        for client in Client.select().where(Client.kk == kk, visible(Client.id)).limit(20):
            add(client, _("same No. KK"))
    first = name.split()[0] if name.split() else name
    wanted = name.lower()
    for client in (
        Client.select()
        .where(Client.kelurahan == kelurahan_code, Client.name ** f"%{first}%", visible(Client.id))
        .limit(500)
    ):
        if difflib.SequenceMatcher(None, wanted, client.name.lower()).ratio() >= 0.85:
            add(client, _("similar name in the same kelurahan"))
    return list(hints.values())


def duplicates_of(actor: Actor, client_id: int) -> list[DuplicateHint]:
    """The records that may be the same person as client ``client_id`` (candidates to merge
    into it): same NIK, same No. KK or a similar name, those outside the scope left out."""
    client = client_row(actor, client_id)
    hints = find_duplicates(client.name, client.kelurahan_code, client.nik, client.kk, actor)
    return [h for h in hints if h.client_id != client.id and not h.hidden]


def register_case(
    actor: Actor,
    *,
    name: str,
    kelurahan: str,
    category: str | int,
    nik: str | None = None,
    kk: str | None = None,
    sex: str | None = None,
    birth_date: str | dt.date | None = None,
    address: str = "",
    rt: str | int | None = None,
    rw: str | int | None = None,
    phone: str | None = None,
    priority: str | None = None,
    source: str | None = None,
    description: str = "",
    reported_at: dt.datetime | None = None,
) -> RegisterResult:
    """Register a case; the client is found by NIK or created. Duplicates come back as hints."""
    kel = find_kelurahan(kelurahan)
    require(actor, "case.create", kel.kecamatan_code)
    name = validate_name(name)
    sex = validate_sex(sex)
    born = validate_birth_date(birth_date)
    nik = validate_nik(nik, sex=sex, birth_date=born)
    kk = validate_kk(kk)
    phone = validate_phone(phone)
    cat = find_category(category)
    fields = {
        "priority": choice(priority, PRIORITIES, "priority", "normal"),
        "source": choice(source, SOURCES, "source", "datang_langsung"),
        "description": validate_text(description, "description"),
    }
    address = validate_text(address, "address", limit=300)
    rt_text, rw_text = validate_rt_rw(rt, "RT"), validate_rt_rw(rw, "RW")
    now = clock.now()
    duplicates = find_duplicates(name, kel.code, nik, kk, actor)  # a read, out of the write lock
    with db.atomic():
        client = Client.get_or_none(Client.nik == nik) if nik else None
        created = client is None
        if client is None:
            client = create_client(
                actor,
                now,
                name=name,
                nik=nik,
                kk=kk,
                sex=sex or None,
                birth_date=born,
                address=address,
                rt=rt_text,
                rw=rw_text,
                kelurahan=kel.code,
                phone=phone,
            )
        reported = reported_at or now
        number = next_case_number(reported.year)
        case = Case.create(
            number=number,
            client=client.id,
            category=int(cat.code),
            status="baru",
            kelurahan=kel.code,
            reported_at=reported,
            updated_at=now,
            created_by=actor.id,
            updated_by=actor.id,
            sensitive=int(cat.code) in sensitive.SENSITIVE_CATEGORIES,
            **fields,
        )
        if case.sensitive:
            sensitive.name_creator(case.id, actor.id)
        Activity.create(
            case=case.id,
            kind="status",
            data=encode(fact("status", to="baru")),
            author=actor.id,
            at=now,
        )
        audit.record(
            actor,
            "case.create",
            "case",
            case.id,
            {
                "number": [None, number],
                "client": [None, client.id],
                "category": [None, int(cat.code)],
                "kelurahan": [None, kel.code],
                "status": [None, "baru"],
                **{k: [None, v] for k, v in fields.items()},
            },
            case_number=number,
        )
    duplicates = [d for d in duplicates if d.client_id != client.id or not created]
    return RegisterResult(case_detail(actor, number), created, duplicates)


def stale_error(case: Case) -> StaleVersionError:
    user = StaffUser.get_or_none(StaffUser.id == case.updated_by_id)
    who = user.full_name if user else "-"
    return StaleVersionError(
        _("Case {number} was changed by {who} at {when}; reload it and try again").format(
            number=case.number, who=who, when=format_datetime(case.updated_at)
        ),
        changed_by=who,
        changed_at=case.updated_at,
        version=case.version,
    )


def check_version(case: Case, expected_version: int | None) -> None:
    """Refuse at once when the caller saw an older version: every other check would judge a
    case they are not looking at."""
    if expected_version is not None and expected_version != case.version:
        raise stale_error(case)


def _column_attr(name: str) -> str:
    """The attribute holding a field's raw value (``worker_id``, ``category_code``)."""
    field = Case._meta.fields[name]
    return getattr(field, "object_id_name", name)


def save_case(
    actor: Actor,
    case: Case,
    expected_version: int | None,
    changes: dict[str, object],
    action: str,
    *,
    activity: tuple[str, Fact] | None = None,
    detail: str = "",
) -> None:
    """Write ``changes`` if nobody saved the case since ``expected_version``; bump the version.

    Call inside a transaction. ``expected_version`` None means "the version just read".
    """
    check_version(case, expected_version)
    before = {key: getattr(case, _column_attr(key)) for key in changes}
    now = clock.now()
    updated = (
        Case.update(**changes, version=Case.version + 1, updated_at=now, updated_by=actor.id)
        .where(Case.id == case.id, Case.version == case.version)
        .execute()
    )
    if updated != 1:
        raise stale_error(Case.get_by_id(case.id))
    if activity:
        Activity.create(
            case=case.id,
            kind=activity[0],
            data=encode(activity[1]),
            author=actor.id,
            at=now,
            worker=changes.get("worker", case.worker_id),
        )
    audit.record(
        actor, action, "case", case.id, audit.diff(before, changes), detail, case_number=case.number
    )


def change_status(
    actor: Actor,
    number: str,
    status: str,
    *,
    outcome: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
    cancel_followups: bool = False,
) -> CaseDetail:
    """Move a case along its life cycle; only the allowed transitions, with their requirements.
    ``cancel_followups``: resolving or closing also cancels its open follow-ups, in the same
    transaction."""
    reason = validate_text(reason, "reason")
    with db.atomic():
        case = case_row(number)
        emergency.check_restricted(actor, case)
        check_version(case, expected_version)
        kel = kelurahan_by_code(case.kelurahan_code)
        status = status.strip().lower()
        if status not in TRANSITIONS.get(case.status, ()):
            allowed = ", ".join(TRANSITIONS.get(case.status, ())) or "-"
            raise ConflictError(
                _("Case {number} cannot go from {old} to {new} (allowed: {allowed})").format(
                    number=case.number, old=case.status, new=status, allowed=allowed
                )
            )
        reopening = case.status in REOPEN_FROM and status == "ditangani"
        closing_early = status == "ditutup" and case.status != "selesai"
        require(actor, status_permission(case.status, status), kel.kecamatan_code)
        if cancel_followups and status in ENDING:
            cancel_open_followups(actor, case.number)
        changes: dict[str, object] = {"status": status}
        event = fact("status", **{"from": case.status, "to": status})
        if status == "selesai":
            changes["outcome"] = validate_text(outcome, "outcome", required=True)
            changes["closed_at"] = clock.now()
            event["outcome"] = changes["outcome"]
        elif status == "ditutup":
            if closing_early:
                event["reason"] = validate_text(reason, "reason", required=True)
            changes["closed_at"] = clock.now()
        if reopening:
            event["reason"] = validate_text(reason, "reason", required=True)
            changes["closed_at"] = None
            holder = Worker.get_or_none(Worker.id == case.worker_id) if case.worker_id else None
            if holder is None or not holder.active:
                # Nobody active holds it any more: back to the triage queue, unassigned.
                changes.update(status="baru", worker=None)
                event["to"] = "baru"
                if holder is not None:
                    Assignment.update(ended_at=clock.now()).where(
                        Assignment.case == case.id, Assignment.ended_at.is_null()
                    ).execute()
        save_case(
            actor,
            case,
            expected_version,
            changes,
            "case.status",
            activity=("status", event),
            detail=reason or "",
        )
    return case_detail(actor, number)


def set_priority(
    actor: Actor, number: str, priority: str, *, expected_version: int | None = None
) -> CaseDetail:
    with db.atomic():
        case = case_row(number)
        emergency.check_restricted(actor, case)
        require(actor, "case.triage", kelurahan_by_code(case.kelurahan_code).kecamatan_code)
        value = choice(priority, PRIORITIES, "priority", case.priority)
        save_case(
            actor,
            case,
            expected_version,
            {"priority": value},
            "case.priority",
            activity=("triase", fact("priority", **{"from": case.priority, "to": value})),
        )
    return case_detail(actor, number)


def set_category(
    actor: Actor, number: str, category: str | int, *, expected_version: int | None = None
) -> CaseDetail:
    with db.atomic():
        case = case_row(number)
        emergency.check_restricted(actor, case)
        require(actor, "case.triage", kelurahan_by_code(case.kelurahan_code).kecamatan_code)
        cat = find_category(category)
        changes: dict[str, object] = {"category": int(cat.code)}
        if (
            int(cat.code) in sensitive.SENSITIVE_CATEGORIES
        ):  # never unmarked by a category: a supervisor's
            changes["sensitive"] = True  # decision (psm case sensitive NUMBER off)
        save_case(
            actor,
            case,
            expected_version,
            changes,
            "case.category",
            activity=("triase", fact("category", to=int(cat.code), name=cat.name)),
        )
        if "sensitive" in changes and not case.sensitive:
            sensitive.name_creator(case.id, actor.id)  # who triaged it keeps reading it
    return case_detail(actor, number)


def add_note(actor: Actor, number: str, text: str, kind: str = "catatan") -> CaseDetail:
    """Add a note, home visit or call to the timeline (it does not change the case's version)."""
    kind = choice(kind, NOTE_KINDS, "kind", "catatan")
    body = validate_text(text, "text", required=True)
    with db.atomic():
        case = case_row(number)
        emergency.check_restricted(actor, case)
        require(actor, "case.note", kelurahan_by_code(case.kelurahan_code).kecamatan_code)
        note = Activity.create(
            case=case.id,
            kind=kind,
            data=encode(fact("note", text=body)),
            author=actor.id,
            at=clock.now(),
            worker=case.worker_id,
        )
        audit.record(
            actor,
            "case.note",
            "activity",
            note.id,
            {"kind": [None, kind], "text": [None, body]},
            case_number=case.number,
        )
    return case_detail(actor, number)
