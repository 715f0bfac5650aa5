"""Numbered documents: referral letters (surat rujukan) and case summaries, and their register.

A letter's number comes from ``letter_counter``: the year's row is incremented inside the
transaction that records the letter, so the row lock makes two users wait for each other instead
of drawing the same number, and a letter whose transaction rolls back gives its number back. The
``letter`` table is the register (buku agenda surat keluar); its number column is unique, the last
guard against a pattern that would print two letters alike.

What a letter may show of the client is what :func:`case_detail` shows the actor (masked NIK and
age instead of the birth date below ``nik.full``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from psm_tui.core import audit, clock
from psm_tui.core.case_queries import case_detail, case_row
from psm_tui.core.dto import Actor, CaseDetail, FollowUpInfo
from psm_tui.core.errors import NotFoundError, ValidationError
from psm_tui.core.reference import kelurahan_by_code
from psm_tui.core.users import require
from psm_tui.i18n import _
from psm_tui.store.models import FollowUp, Letter, LetterCounter, Opd

KINDS = ("referral", "summary")
# Who may make each document: a referral is part of sending a follow-up; a summary carries the
# client's data, as a case list export does.
PERMISSION = {"referral": "followup.write", "summary": "export.list"}
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


@dataclass(frozen=True)
class LetterNumber:
    number: str
    year: int
    seq: int
    made_at: dt.datetime


@dataclass(frozen=True)
class LetterContent:
    """Everything a document shows, read in one transaction with its number."""

    kind: str
    number: LetterNumber
    case: CaseDetail
    followup: FollowUpInfo | None
    opd_name: str  # the addressee's full name (referral only)
    kelurahan: str
    kecamatan: str
    author: str  # the full name of who made it


def format_number(pattern: str, seq: int, day: dt.date) -> str:
    """The pattern's fields: ``n``, ``year``, ``month`` (1-12) and ``month_roman`` (I-XII)."""
    try:
        return pattern.format(
            n=seq, year=day.year, month=day.month, month_roman=_ROMAN[day.month - 1]
        )
    except (KeyError, IndexError, ValueError) as error:
        raise ValidationError(
            _("The letter number pattern {pattern} cannot be used: {error}").format(
                pattern=pattern, error=error
            ),
            "letter_number_pattern",
        ) from None


def _draw_number(pattern: str) -> LetterNumber:
    """The year's next number; call inside the transaction that records the letter."""
    made_at = clock.now()
    year = made_at.year
    LetterCounter.insert(year=year, last=0).on_conflict_ignore().execute()
    LetterCounter.update(last=LetterCounter.last + 1).where(LetterCounter.year == year).execute()
    seq = LetterCounter.get_by_id(year).last
    return LetterNumber(format_number(pattern, seq, made_at.date()), year, seq, made_at)


def make_letter(
    actor: Actor,
    kind: str,
    *,
    case_number: str = "",
    followup_id: int | None = None,
    pattern: str,
) -> LetterContent:
    """Check the right, read the content, draw and register the number, audit it.

    Call inside a transaction that also writes the file: if the file cannot be written, the
    letter is not registered and its number is drawn again by the next one."""
    if kind not in KINDS:
        raise ValidationError(_("Unknown document {kind}").format(kind=kind), "kind")
    followup = None
    if kind == "referral":
        row = FollowUp.get_or_none(FollowUp.id == followup_id)
        if row is None:
            raise NotFoundError(_("Follow-up {id} not found").format(id=followup_id))
        case_number = row.case.number
    case = case_row(case_number)
    kelurahan = kelurahan_by_code(case.kelurahan_code)
    require(actor, PERMISSION[kind], kelurahan.kecamatan_code)
    detail = case_detail(actor, case.number)
    if kind == "referral":
        followup = next(f for f in detail.followups if f.id == followup_id)
    number = _draw_number(pattern)
    Letter.create(
        kind=kind,
        year=number.year,
        seq=number.seq,
        number=number.number,
        case=case.id,
        followup_id=followup_id,
        username=actor.username,
        made_at=number.made_at,
    )
    audit.record(
        actor,
        f"letter.{kind}",
        "letter",
        number.number,
        {"followup": followup_id} if followup_id else None,
        case_number=case.number,
    )
    return LetterContent(
        kind=kind,
        number=number,
        case=detail,
        followup=followup,
        opd_name=Opd.get_by_id(followup.opd_code).name if followup else "",
        kelurahan=kelurahan.name,
        kecamatan=kelurahan.kecamatan_name,
        author=actor.full_name or actor.username,
    )
