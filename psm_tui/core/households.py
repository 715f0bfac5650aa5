"""A household is the people of one No. KK: who they are, their open and past cases, and what
the family already receives from which programme."""

from __future__ import annotations

import datetime as dt

from psm_tui.core import audit, clock, programmes, sensitive
from psm_tui.core.case_queries import CaseFilter, list_cases
from psm_tui.core.clients import client_record, client_row, create_client, outside_scope
from psm_tui.core.dto import Actor, ClientRecord, Household, HouseholdMember
from psm_tui.core.errors import ConflictError, NotFoundError
from psm_tui.core.masks import client_info, mask_nik, record_nik_search
from psm_tui.core.pending_imports import visible
from psm_tui.core.reference import kelurahan_by_code
from psm_tui.core.users import read_scope, require
from psm_tui.core.validation import (
    validate_birth_date,
    validate_kk,
    validate_name,
    validate_nik,
    validate_phone,
    validate_sex,
)
from psm_tui.i18n import _
from psm_tui.store.database import db
from psm_tui.store.models import Client


def _members(kk: str) -> list[Client]:
    return list(
        Client.select()
        .where(Client.kk == kk, visible(Client.id))
        .order_by(Client.birth_date, Client.id)
    )


def _kk(actor: Actor | None, kk: str | None, of_client: int | None) -> str:
    """The No. KK asked for, typed or as the one of a client the reader may see (whose No. KK
    they may see only masked)."""
    if of_client is not None:
        client = client_row(actor, of_client)
        if not client.kk:
            raise NotFoundError(_("Client {id} has no No. KK").format(id=of_client))
        return str(client.kk)
    found = validate_kk(kk) or ""
    record_nik_search(actor, found)
    return found


def household(
    actor: Actor | None, kk: str | None = None, *, of_client: int | None = None
) -> Household:
    """The members of No. KK ``kk`` (or of client ``of_client``'s); a member outside the
    reader's scope, or known only through restricted cases, is shown as existing, without name
    or cases."""
    kk = _kk(actor, kk, of_client)
    members = _members(kk)
    if not members:
        raise NotFoundError(_("No client has No. KK {kk}").format(kk=mask_nik(kk, actor)))
    scope = read_scope(actor)
    enrolments = programmes.enrolments_of([m.id for m in members])
    shown: list[HouseholdMember] = []
    for member in members:
        if outside_scope(member, scope) or sensitive.hides_client(actor, member.id):
            shown.append(HouseholdMember(None, [], [], hidden=True))
            continue
        cases = list_cases(actor, CaseFilter(client_id=member.id), limit=None)
        shown.append(HouseholdMember(client_info(member, actor), cases, enrolments[member.id]))
    return Household(mask_nik(kk, actor) or "", shown)


def view_household(
    actor: Actor, kk: str | None = None, *, of_client: int | None = None
) -> Household:
    """The household for a person to look at; the view is audited (UU PDP)."""
    require(actor, "read")
    found = household(actor, kk, of_client=of_client)
    audit.record(actor, "household.view", "household", mask_nik(found.kk, None))
    return found


def add_member(
    actor: Actor,
    kk: str | None = None,
    *,
    of_client: int | None = None,
    name: str,
    nik: str | None = None,
    sex: str | None = None,
    birth_date: str | dt.date | None = None,
    phone: str | None = None,
) -> ClientRecord:
    """Add a family member to the household of ``kk`` (or of client ``of_client``): a client
    of the same No. KK, at its address."""
    kk = _kk(actor, kk, of_client)
    members = _members(kk)
    if not members:
        raise NotFoundError(_("No client has No. KK {kk}").format(kk=mask_nik(kk, actor)))
    home = members[0]
    require(actor, "client.edit", kelurahan_by_code(home.kelurahan_code).kecamatan_code)
    name = validate_name(name)
    sex = validate_sex(sex)
    born = validate_birth_date(birth_date)
    nik = validate_nik(nik, sex=sex, birth_date=born)
    phone = validate_phone(phone)
    now = clock.now()
    with db.atomic():
        if nik and Client.get_or_none(Client.nik == nik):
            raise ConflictError(
                _("A client with NIK {nik} exists already").format(nik=mask_nik(nik, actor))
            )
        client = create_client(
            actor,
            now,
            name=name,
            nik=nik,
            kk=kk,
            sex=sex,
            birth_date=born,
            address=home.address,
            rt=home.rt,
            rw=home.rw,
            kelurahan=home.kelurahan_code,
            phone=phone,
        )
    return client_record(actor, client.id)
