"""Masks that hold: what a role without the full-NIK right (``nik.full``) may learn of a person.

A NIK is region + birth date (day + 40 for women) + serial. With the old mask
(``3671********0003``) plus the birth date, sex and kecamatan a viewer rebuilt the whole number;
so below ``nik.full`` a NIK or No. KK keeps only its last four digits and a birth date is shown
as an age.

A search for a whole NIK confirms a guess ("is this person a client?"), so such a search by
those roles is audited: action ``search.nik``, the NIK masked in ``detail`` and a keyed hash
(HMAC-SHA256, key kept in the ``meta`` table) as ``entity_id``. The hash tells a supervisor
which searches were for the same person, and can be matched against the clients' NIKs, without
the log holding any NIK in clear. Repeats of one NIK by one user on one day count once.

How many a day are normal: an intake desk looks a few clients up by NIK (about ten on a busy
day). :data:`NIK_SEARCHES_PER_DAY` (20 distinct NIKs per user per day) is twice that; a user
above it on any of the last :data:`NIK_SEARCH_DAYS` days is flagged by ``psm check``: that is
what enumerating or confirming guessed NIKs looks like.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections import Counter
from collections.abc import Callable

from psm_tui.core import audit, clock
from psm_tui.core.dto import Actor, ClientInfo
from psm_tui.core.reference import kelurahan_by_code
from psm_tui.core.users import can
from psm_tui.i18n import _, format_date
from psm_tui.store.models import AuditLog, Client, Meta

NIK_SEARCH_ACTION = "search.nik"
NIK_SEARCHES_PER_DAY = 20
NIK_SEARCH_DAYS = 30
_KEY_NAME = "nik_search_key"


def mask_nik(nik: str | None, actor: Actor | None) -> str | None:
    """``************0001`` (the last four digits) unless the actor may see NIKs in full.

    ``actor`` None masks too: it is what the audit log stores."""
    if not nik or (actor is not None and can(actor, "nik.full")):
        return nik
    return "*" * (len(nik) - 4) + nik[-4:]


def nik_masker(actor: Actor | None) -> Callable[[str | None], str | None]:
    """:func:`mask_nik` for ``actor``, its rule asked once (a page masks hundreds of NIKs)."""
    if actor is not None and can(actor, "nik.full"):
        return _as_is
    return lambda nik: mask_nik(nik, None)


def _as_is(nik: str | None) -> str | None:
    return nik


def age_on(born: dt.date | None, today: dt.date) -> int | None:
    """Full years on ``today``."""
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def shown_birth_date(born: dt.date | None, actor: Actor | None) -> dt.date | None:
    """The birth date only for a role that sees the NIK in full (it is half of the NIK)."""
    return born if actor is not None and can(actor, "nik.full") else None


def full_nik(text: str | None) -> str | None:
    """The 16 digits if ``text`` is a whole NIK (spaces allowed), as the case search reads it."""
    digits = (text or "").strip().replace(" ", "")
    return digits if digits.isdigit() and len(digits) == 16 else None


def _key() -> bytes:
    """This database's secret for hashing searched NIKs, made on first use."""
    Meta.insert(key=_KEY_NAME, value=secrets.token_hex(32)).on_conflict_ignore().execute()
    return bytes.fromhex(Meta.get_by_id(_KEY_NAME).value)


def nik_digest(nik: str) -> str:
    return hmac.new(_key(), nik.encode(), hashlib.sha256).hexdigest()[:32]


def record_nik_search(actor: Actor | None, text: str | None) -> None:
    """Audit a whole-NIK search by a role that sees NIKs masked (once per NIK, user and day)."""
    nik = full_nik(text)
    if nik is None or actor is None or can(actor, "nik.full"):
        return
    digest = nik_digest(nik)
    start = dt.datetime.combine(clock.today(), dt.time())
    seen = AuditLog.select().where(
        AuditLog.entity_id == digest,
        AuditLog.username == actor.username,
        AuditLog.action == NIK_SEARCH_ACTION,
        AuditLog.at >= start,
    )
    if not seen.exists():
        audit.record(actor, NIK_SEARCH_ACTION, "nik", digest, detail=mask_nik(nik, None) or "")


def heavy_nik_searchers(
    days: int = NIK_SEARCH_DAYS, limit: int = NIK_SEARCHES_PER_DAY
) -> list[tuple[str, dt.date, int]]:
    """``(user, day, searches)`` for every user-day above ``limit`` in the last ``days`` days."""
    start = dt.datetime.combine(clock.today() - dt.timedelta(days=days - 1), dt.time())
    rows = AuditLog.select(AuditLog.username, AuditLog.at).where(
        AuditLog.action == NIK_SEARCH_ACTION, AuditLog.at >= start
    )
    per_day = Counter((row.username, row.at.date()) for row in rows)
    return sorted((user, day, n) for (user, day), n in per_day.items() if n > limit)


def born_text(birth_date: dt.date | None, age: int | None) -> str:
    """The birth date for a role that sees it, else the age (``45 years``), else ``-``."""
    if birth_date is not None:
        return format_date(birth_date)
    return _("{age} years").format(age=age) if age is not None else "-"


def client_info(client: Client, actor: Actor | None) -> ClientInfo:
    """``client`` as ``actor`` may see it: NIK, No. KK and birth date masked below nik.full."""
    return ClientInfo(
        client.id,
        client.name,
        mask_nik(client.nik, actor),
        mask_nik(client.kk, actor),
        client.sex,
        shown_birth_date(client.birth_date, actor),
        client.address,
        client.rt,
        client.rw,
        client.phone,
        client.dtsen,
        client.dtsen_desil,
        age_on(client.birth_date, clock.today()),
        kelurahan_by_code(client.kelurahan_code),
        client.version,
        client.dtsen_source,
        client.dtsen_on,
    )
