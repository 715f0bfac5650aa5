"""The client record: one person across their cases, corrected field by field (audited, with
optimistic locking), searched, and merged with a duplicate record of the same person."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from peewee import Expression

from psm_tui.core import audit, clock, emergency, programmes, sensitive
from psm_tui.core.case_queries import CaseFilter, list_cases
from psm_tui.core.dto import Actor, ClientInfo, ClientRecord, MergeResult
from psm_tui.core.emergency import in_kecamatan
from psm_tui.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    StaleVersionError,
    ValidationError,
)
from psm_tui.core.labels import DTSEN_STATUSES, normalise_choice
from psm_tui.core.masks import client_info, full_nik, mask_nik, record_nik_search
from psm_tui.core.pending_imports import visible
from psm_tui.core.reference import find_kelurahan, kelurahan_by_code
from psm_tui.core.users import audit_refusal, can, read_scope, require
from psm_tui.core.validation import (
    parse_date,
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
from psm_tui.store.models import AuditLog, Case, Client, Enrolment, Kelurahan

# The fields of a client record a user may correct, in the order a form shows them.
FIELDS = (
    "name",
    "nik",
    "kk",
    "sex",
    "birth_date",
    "address",
    "rt",
    "rw",
    "kelurahan",
    "phone",
    "dtsen",
    "dtsen_desil",
    "dtsen_source",
    "dtsen_on",
)
MASKED = ("nik", "kk")  # written to the audit log masked: the log outlives the record
WORKER_CHECK = "petugas"  # dtsen_source when a worker corrects the DTSEN status by hand
SEARCH_LIMIT = 50


def create_client(
    actor: Actor,
    now: dt.datetime,
    *,
    name: str,
    nik: str | None,
    kk: str | None,
    sex: str | None,
    birth_date: dt.date | None,
    address: str,
    rt: str | None,
    rw: str | None,
    kelurahan: str,
    phone: str | None,
) -> Client:
    """A new client row, already validated, and its audit entry (identity masked in the log):
    the one way a person comes into the records, at intake or into a household."""
    client = Client.create(
        name=name,
        nik=nik,
        kk=kk,
        sex=sex,
        birth_date=birth_date,
        address=address,
        rt=rt,
        rw=rw,
        kelurahan=kelurahan,
        phone=phone,
        created_at=now,
        updated_at=now,
    )
    changes: dict[str, list[object]] = {"name": [None, name], "nik": [None, mask_nik(nik, None)]}
    if kk:
        changes["kk"] = [None, mask_nik(kk, None)]
    changes["kelurahan"] = [None, kelurahan]
    audit.record(actor, "client.create", "client", client.id, changes)
    return client


def outside_scope(client: Client, scope: str | None) -> bool:
    """Whether neither the client's address nor any of their cases is in ``scope``."""
    if scope is None or kelurahan_by_code(client.kelurahan_code).kecamatan_code == scope:
        return False
    return not Case.select().where(Case.client == client.id, in_kecamatan(scope)).exists()


def _in_scope(scope: str) -> Expression:
    """``client`` living in ``scope`` or with a case there."""
    kelurahan = Kelurahan.select(Kelurahan.code).where(Kelurahan.kecamatan == scope)
    with_case = Case.select(Case.client).where(in_kecamatan(scope))
    return Client.kelurahan.in_(kelurahan) | Client.id.in_(with_case)


def client_row(actor: Actor | None, client_id: int) -> Client:
    """The client, refused (audited) when it is outside ``actor``'s read scope."""
    client = Client.get_or_none(Client.id == client_id, visible(Client.id))
    if client is None:
        raise NotFoundError(_("Client {id} not found").format(id=client_id))
    if actor is not None and outside_scope(client, read_scope(actor)):
        audit_refusal(actor, "client", str(client_id), "out of scope")
        raise PermissionDenied(
            _("Client {id} has no case in your scope; ask a supervisor").format(id=client_id)
        )
    if actor is not None and sensitive.hides_client(actor, client.id):
        audit_refusal(actor, "client", str(client_id), "sensitive case")
        raise PermissionDenied(
            _("Client {id} is known only through restricted cases; ask a supervisor").format(
                id=client_id
            )
        )
    return client


def client_record(actor: Actor | None, client_id: int) -> ClientRecord:
    """The client page: the person, their cases the reader may see (and how many more there
    are), and their programmes."""
    client = client_row(actor, client_id)
    cases = list_cases(actor, CaseFilter(client_id=client.id), limit=None)
    total = Case.select().where(Case.client == client.id, visible(Case.id)).count()
    return ClientRecord(
        client_info(client, actor),
        cases,
        total - len(cases),
        programmes.enrolments_of([client.id])[client.id],
    )


def view_client(actor: Actor, client_id: int) -> ClientRecord:
    """The client page for a person to look at; the view is audited (UU PDP)."""
    require(actor, "read")
    record = client_record(actor, client_id)
    detail = "full NIK" if can(actor, "nik.full") else "masked NIK"
    audit.record(actor, "client.view", "client", client_id, detail=detail)
    return record


def client_of_case(actor: Actor | None, number: str) -> int:
    """The id of the client of case ``number``."""
    case = Case.get_or_none(Case.number == number.strip(), visible(Case.id))
    if case is None:
        raise NotFoundError(_("Case {number} not found").format(number=number))
    emergency.check_restricted(actor, case)
    client_row(actor, case.client_id)
    return int(case.client_id)


def search_clients(
    actor: Actor | None, text: str, *, limit: int = SEARCH_LIMIT
) -> list[ClientInfo]:
    """Clients by NIK or No. KK (16 digits, exactly) or by part of the name, within scope."""
    text = text.strip()
    if not text:
        return []
    record_nik_search(actor, text)
    digits = full_nik(text)
    condition = (
        (Client.nik == digits) | (Client.kk == digits) if digits else Client.name ** f"%{text}%"
    )
    query = Client.select().where(condition, visible(Client.id))
    scope = read_scope(actor)
    if scope:
        query = query.where(_in_scope(scope))
    found = query.order_by(Client.name, Client.id).limit(limit)
    return [client_info(c, actor) for c in found if not sensitive.hides_client(actor, c.id)]


def _stale(client: Client) -> StaleVersionError:
    last = (
        AuditLog.select(AuditLog.username, AuditLog.at)
        .where(AuditLog.entity == "client", AuditLog.entity_id == str(client.id))
        .order_by(AuditLog.id.desc())
        .first()
    )
    who, when = (last.username, last.at) if last else ("-", client.updated_at)
    return StaleVersionError(
        _("Client {name} was changed by {who} at {when}; reload it and try again").format(
            name=client.name, who=who, when=format_datetime(when)
        ),
        changed_by=who,
        changed_at=when,
        version=client.version,
    )


def _desil(value: object) -> int | None:
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 10:
        raise ValidationError(_("Desil must be a number from 1 to 10"), "dtsen_desil")
    return int(text)


def _dtsen(value: object) -> str:
    status = normalise_choice(str(value or ""), DTSEN_STATUSES)
    if status is None:
        raise ValidationError(
            _("DTSEN status must be one of {choices}").format(choices=", ".join(DTSEN_STATUSES)),
            "dtsen",
        )
    return status


def _validated(client: Client, changes: dict[str, object]) -> dict[str, object]:
    """``changes`` checked and normalised as the record's columns hold them."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown client field {field}").format(field=", ".join(sorted(unknown))), "field"
        )

    def text(key: str) -> str | None:
        value = changes[key]
        return None if value is None else str(value)

    values: dict[str, object] = {}
    sex = validate_sex(text("sex")) if "sex" in changes else client.sex
    born = validate_birth_date(text("birth_date")) if "birth_date" in changes else client.birth_date
    checks: dict[str, Callable[[], object]] = {
        "name": lambda: validate_name(text("name")),
        "nik": lambda: validate_nik(text("nik"), sex=sex, birth_date=born),
        "kk": lambda: validate_kk(text("kk")),
        "sex": lambda: sex,
        "birth_date": lambda: born,
        "address": lambda: validate_text(text("address"), "address", limit=300),
        "rt": lambda: validate_rt_rw(text("rt"), "RT"),
        "rw": lambda: validate_rt_rw(text("rw"), "RW"),
        "kelurahan": lambda: find_kelurahan(text("kelurahan") or "").code,
        "phone": lambda: validate_phone(text("phone")),
        "dtsen": lambda: _dtsen(changes["dtsen"]),
        "dtsen_desil": lambda: _desil(changes["dtsen_desil"]),
        "dtsen_source": lambda: (
            validate_text(text("dtsen_source"), "dtsen_source", limit=32) or None
        ),
        "dtsen_on": lambda: parse_date(text("dtsen_on"), "dtsen_on"),
    }
    for key in changes:
        values[key] = checks[key]()
    dtsen_changed = any(
        key in values and values[key] != getattr(client, key) for key in ("dtsen", "dtsen_desil")
    )
    if dtsen_changed:
        values.setdefault("dtsen_source", WORKER_CHECK)
        values.setdefault("dtsen_on", clock.today())
    return values


def _column(key: str) -> str:
    return "kelurahan_code" if key == "kelurahan" else key


def _audited(before: dict[str, object], after: dict[str, object]) -> dict[str, list[object]]:
    """The field-by-field diff, with NIK and No. KK masked."""
    changed = audit.diff(before, after)
    for key in MASKED:
        if key in changed:
            changed[key] = [mask_nik(str(v), None) if v else v for v in changed[key]]
    return changed


def _masked(values: dict[str, object]) -> dict[str, object]:
    """A whole record as the audit log may keep it: NIK and No. KK masked."""
    return {
        key: mask_nik(str(value), None) if key in MASKED and value else value
        for key, value in values.items()
    }


def edit_client(
    actor: Actor, client_id: int, changes: dict[str, object], *, expected_version: int | None
) -> ClientRecord:
    """Correct a client's record (only the fields given); every changed field is audited, and a
    save over someone else's newer save is refused (``expected_version``)."""
    with db.atomic():
        client = client_row(actor, client_id)
        require(actor, "client.edit", kelurahan_by_code(client.kelurahan_code).kecamatan_code)
        if expected_version is not None and expected_version != client.version:
            raise _stale(client)
        values = _validated(client, changes)
        if "kelurahan" in values:
            require(
                actor, "client.edit", kelurahan_by_code(str(values["kelurahan"])).kecamatan_code
            )
        before = {key: getattr(client, _column(key)) for key in values}
        changed = {key: value for key, value in values.items() if before[key] != value}
        if changed.get("nik") and Client.get_or_none(
            (Client.nik == changed["nik"]) & (Client.id != client.id)
        ):
            raise ConflictError(
                _("Another client has NIK {nik}; merge the two records").format(
                    nik=mask_nik(str(changed["nik"]), actor)
                )
            )
        if changed:
            columns = {_column(key): value for key, value in changed.items()}
            updated = (
                Client.update(**columns, version=Client.version + 1, updated_at=clock.now())
                .where(Client.id == client.id, Client.version == client.version)
                .execute()
            )
            if updated != 1:
                raise _stale(Client.get_by_id(client.id))
            audit.record(actor, "client.edit", "client", client.id, _audited(before, changed))
    return client_record(actor, client_id)


def merge_clients(
    actor: Actor,
    keep_id: int,
    drop_id: int,
    *,
    take: tuple[str, ...] = (),
    keep_version: int | None = None,
    drop_version: int | None = None,
) -> MergeResult:
    """Two records of one person become ``keep_id``: its fields stay, except those in ``take``
    and those it lacks, which come from ``drop_id``; the other record's cases and enrolments
    move to it and the other record is removed. One audit row on the survivor says what was
    kept from which record, and each moved case gets its own."""
    require(actor, "client.merge")
    if keep_id == drop_id:
        raise ValidationError(_("Choose two different clients to merge"), "client")
    unknown = set(take) - set(FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown client field {field}").format(field=", ".join(sorted(unknown))), "field"
        )
    with db.atomic():
        keep, drop = client_row(actor, keep_id), client_row(actor, drop_id)
        for row, version in ((keep, keep_version), (drop, drop_version)):
            if version is not None and version != row.version:
                raise _stale(row)
        kept_from: dict[str, int] = {}
        changes: dict[str, object] = {}
        for key in FIELDS:
            mine, theirs = getattr(keep, _column(key)), getattr(drop, _column(key))
            blank = mine in (None, "", "tidak_diketahui")
            if theirs not in (None, "") and mine != theirs and (key in take or blank):
                changes[key] = theirs
                kept_from[key] = drop.id
            else:
                kept_from[key] = keep.id
        numbers = [
            c.number
            for c in Case.select(Case.number).where(Case.client == drop.id).order_by(Case.id)
        ]
        before = {key: getattr(keep, _column(key)) for key in changes}
        removed = {key: getattr(drop, _column(key)) for key in FIELDS}
        if "nik" in changes:
            Client.update(nik=None).where(Client.id == drop.id).execute()
        Case.update(client=keep.id).where(Case.client == drop.id).execute()
        Enrolment.update(client=keep.id).where(Enrolment.client == drop.id).execute()
        Client.delete().where(Client.id == drop.id).execute()
        Client.update(
            **{_column(key): value for key, value in changes.items()},
            version=Client.version + 1,
            updated_at=clock.now(),
        ).where(Client.id == keep.id).execute()
        merged = {"merged": [drop.id, keep.id], "cases": [None, numbers]}
        audit.record(
            actor,
            "client.merge",
            "client",
            keep.id,
            {**merged, **_audited(before, changes)},
            detail=json.dumps(
                {"kept_from": kept_from, "removed": _masked(removed)},
                ensure_ascii=False,
                default=str,
            ),
        )
        audit.record(actor, "client.merged", "client", drop.id, {"merged": [drop.id, keep.id]})
        for number in numbers:
            case = Case.get(Case.number == number)
            audit.record(
                actor,
                "case.client",
                "case",
                case.id,
                {"client": [drop.id, keep.id]},
                detail="client.merge",
                case_number=number,
            )
    return MergeResult(client_record(actor, keep.id), drop.id, numbers, kept_from)
