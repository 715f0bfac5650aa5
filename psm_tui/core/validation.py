"""Validation of what people type: NIK, No. KK, phone numbers, dates, names, logins, free text.

Each function returns the normalised value or raises :class:`ValidationError` with a message
in the user's language. The text rule (:func:`clean_text`) and its display twin
(:func:`safe_display`) live here and nowhere else: the CLI, the TUI and the importer all call them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from psm_tui.core.errors import ValidationError
from psm_tui.i18n import _

PROVINCE_CODES = frozenset(
    [
        *range(11, 20),
        21,
        *range(31, 37),
        51,
        52,
        53,
        *range(61, 66),
        *range(71, 77),
        81,
        82,
        *range(91, 97),
    ]
)
SEXES = ("L", "P")

# C0 and C1 controls (ESC starts terminal sequences; a note may keep tab and newline).
_CONTROLS = "\x00-\x1f\x7f-\x9f"
_CONTROL = re.compile(f"[{_CONTROLS}]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi embeddings, overrides, isolates and marks: they reorder what the reader sees
# ("Trojan Source", CVE-2021-42574) and misalign columns.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_BIDI_CHAR = re.compile(f"[{_BIDI}]")
# Zero-width characters: invisible, so ``root`` + U+200B looks like ``root``.
_ZERO_WIDTH = "\u200b-\u200d\u2060\ufeff"
_ZERO_WIDTH_CHAR = re.compile(f"[{_ZERO_WIDTH}]")
# POSIX portable login names, as useradd accepts them by default.
_USERNAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


@dataclass(frozen=True)
class NikInfo:
    nik: str
    province: str
    regency: str
    district: str
    birth_date: dt.date
    sex: str


def _digits(value: str, field: str, label: str) -> str:
    raw = value.strip().replace(" ", "").replace(".", "").replace("-", "")
    if re.fullmatch(r"\d+([eE][+]?\d+)?", raw) and "e" in raw.lower():
        raise ValidationError(
            _("{label} {value} was mangled by a spreadsheet (scientific notation)").format(
                label=label, value=value
            ),
            field,
        )
    if not raw.isdigit():
        raise ValidationError(_("{label} must contain digits only").format(label=label), field)
    if len(raw) != 16:
        raise ValidationError(
            _("{label} must be 16 digits, got {count}").format(label=label, count=len(raw)), field
        )
    if set(raw) == {"0"}:
        raise ValidationError(_("{label} cannot be all zeros").format(label=label), field)
    if int(raw[:2]) not in PROVINCE_CODES:
        raise ValidationError(
            _("{label} starts with unknown province code {code}").format(label=label, code=raw[:2]),
            field,
        )
    return raw


def _nik_birth_date(day: int, month: int, yy: int, today: dt.date) -> dt.date | None:
    for century in (2000, 1900):
        year = century + yy
        if year > today.year:
            continue
        try:
            born = dt.date(year, month, day)
        except ValueError:
            continue
        if born <= today:
            return born
    return None


def parse_nik(value: str, today: dt.date | None = None) -> NikInfo:
    """Check a NIK: 16 digits, known province, real birth date (day + 40 for women), serial."""
    nik = _digits(value, "nik", "NIK")
    today = today or dt.date.today()
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "P" if day > 40 else "L"
    born = _nik_birth_date(day - 40 if day > 40 else day, month, yy, today)
    if born is None:
        raise ValidationError(
            _("NIK {nik} holds an impossible birth date ({part})").format(nik=nik, part=nik[6:12]),
            "nik",
        )
    if nik[2:4] == "00" or nik[12:] == "0000":
        raise ValidationError(_("NIK {nik} has an empty region or serial").format(nik=nik), "nik")
    return NikInfo(nik, nik[:2], nik[:4], nik[:6], born, sex)


def validate_nik(
    value: str | None, *, sex: str | None = None, birth_date: dt.date | None = None
) -> str | None:
    """A valid NIK (or None), also checked against the sex and birth date given with it."""
    if value is None or not value.strip():
        return None
    info = parse_nik(value)
    if sex and sex != info.sex:
        raise ValidationError(
            _("NIK {nik} belongs to a {sex_nik}, but sex {sex} was given").format(
                nik=info.nik, sex_nik=sex_label(info.sex), sex=sex
            ),
            "nik",
        )
    if birth_date and (birth_date.day, birth_date.month, birth_date.year % 100) != (
        info.birth_date.day,
        info.birth_date.month,
        info.birth_date.year % 100,
    ):
        raise ValidationError(
            _("NIK {nik} does not match birth date {date}").format(
                nik=info.nik, date=birth_date.isoformat()
            ),
            "nik",
        )
    return info.nik


def validate_kk(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return _digits(value, "kk", "No. KK")


def validate_phone(value: str | None) -> str | None:
    """Normalise ``+62 812-3456-7890``, ``62812…`` and ``0812…`` to ``0812…``."""
    if value is None or not value.strip():
        return None
    value = clean_text(value, "phone")
    raw = re.sub(r"[\s\-.()]", "", value.strip())
    if raw.startswith("+62"):
        raw = "0" + raw[3:]
    elif raw.startswith("62"):
        raw = "0" + raw[2:]
    elif raw.startswith("8"):
        raw = "0" + raw
    if not raw.isdigit() or not raw.startswith("0") or raw.startswith("00"):
        raise ValidationError(_("Phone number {value} is not valid").format(value=value), "phone")
    if not 9 <= len(raw) <= 13 or (raw.startswith("08") and len(raw) < 10):
        raise ValidationError(
            _("Phone number {value} has the wrong length").format(value=value), "phone"
        )
    return raw


def parse_date(value: str | dt.date | None, field: str = "date") -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("Date {value} is not valid; use YYYY-MM-DD").format(value=value), field
        ) from None


def validate_birth_date(value: str | dt.date | None) -> dt.date | None:
    born = parse_date(value, "birth_date")
    if born is not None and not dt.date(1900, 1, 1) <= born <= dt.date.today():
        raise ValidationError(
            _("Birth date {value} is out of range").format(value=born.isoformat()), "birth_date"
        )
    return born


def clean_text(value: str, field: str, *, multiline: bool = False) -> str:
    """The one rule for text a person types or a file brings: zero-width characters are dropped,
    control characters (tab and newline kept if ``multiline``) and bidi controls are refused,
    naming the field and the character, because both can hide or reorder what others read."""
    text = _ZERO_WIDTH_CHAR.sub("", value)
    if multiline:
        text = text.replace("\r\n", "\n")
    if bad := (_CONTROL_BUT_LINES if multiline else _CONTROL).search(text):
        raise ValidationError(
            _("{field}: the control character {char} is not allowed").format(
                field=field_label(field), char=repr(bad.group())[1:-1]
            ),
            field,
        )
    if bad := _BIDI_CHAR.search(text):
        raise ValidationError(
            _(
                "{field}: the invisible text-direction character {char} is not allowed "
                "(it reorders what others read)"
            ).format(field=field_label(field), char=code_point(bad.group())),
            field,
        )
    return text


def validate_name(value: str | None, field: str = "name") -> str:
    """A person's name: one line of clean text, at least two letters, at most 120 characters."""
    text = " ".join(clean_text(value or "", field).split())
    letters = sum(1 for ch in text if unicodedata.category(ch).startswith("L"))
    if letters < 2:
        raise ValidationError(_("Name must have at least two letters"), field)
    if len(text) > 120:
        raise ValidationError(_("Name is longer than 120 characters"), field)
    return text


def validate_text(
    value: str | None, field: str, *, required: bool = False, limit: int = 4000
) -> str:
    """Free text: clean (see :func:`clean_text`), otherwise kept as typed (it is rendered
    literally), bounded, and not empty if required."""
    text = clean_text(value or "", field, multiline=True).strip()
    if required and not text:
        raise ValidationError(
            _("{field} must not be empty").format(field=field_label(field)), field
        )
    if len(text) > limit:
        raise ValidationError(
            _("{field} is longer than {limit} characters").format(
                field=field_label(field), limit=limit
            ),
            field,
        )
    return text


def validate_username(value: str | None) -> str:
    """A POSIX portable login (``[a-z_][a-z0-9_-]*``, at most 32 characters), as ``useradd``
    takes it: a name that must match exactly (``--as``, the audit log, ``authorized_keys``)
    then cannot imitate another with invisible or look-alike characters."""
    name = (value or "").strip(" ")
    if _USERNAME.fullmatch(name):
        return name
    bad = next((ch for ch in name if not re.fullmatch(r"[a-z0-9_-]", ch)), None)
    reason = (
        _("it is empty")
        if not name
        else _("it is longer than 32 characters")
        if len(name) > 32 and bad is None
        else _("it must start with a letter a-z or _")
        if bad is None
        else _("it contains {char}").format(char=describe_char(bad))
    )
    raise ValidationError(
        _(
            "User name {name} is not allowed: {reason}; use only a-z, 0-9, _ and - "
            "(at most 32 characters)"
        ).format(name=safe_display(name).replace("\n", "\\n").replace("\t", "\\t"), reason=reason),
        "username",
    )


def validate_sex(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    sex = value.strip().upper()[:1]
    if sex not in SEXES:
        raise ValidationError(_("Sex must be L or P"), "sex")
    return sex


def validate_rt_rw(value: str | int | None, field: str) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    if not text.isdigit() or not 0 < int(text) < 1000:
        raise ValidationError(
            _("{field} must be a number from 1 to 999").format(field=field), field
        )
    return f"{int(text):03d}"


def sex_label(sex: str | None) -> str:
    return {"L": _("man"), "P": _("woman")}.get(sex or "", "-")


def field_label(field: str) -> str:
    return {
        "description": _("Description"),
        "outcome": _("Outcome"),
        "reason": _("Reason"),
        "text": _("Text"),
        "action": _("Requested action"),
        "response": _("Response"),
        "address": _("Address"),
        "name": _("Name"),
        "full_name": _("Full name"),
        "phone": _("Phone"),
        "topic": _("Topic"),
        "organiser": _("Organiser"),
    }.get(field, field)


_UNSAFE_ON_TERMINAL = re.compile(f"[{_CONTROL_BUT_LINES.pattern[1:-1]}{_BIDI}{_ZERO_WIDTH}]")


def safe_display(text: str) -> str:
    """Make text harmless on a terminal, whoever typed it (stored data, an argument echoed in an
    error): control, bidi and zero-width characters become visible escapes (``\\x1b``,
    ``\\u202e``); tab and newline stay."""
    return _UNSAFE_ON_TERMINAL.sub(lambda m: repr(m.group())[1:-1], text)


def code_point(char: str) -> str:
    """``U+202E``: how a refusal names an invisible character."""
    return f"U+{ord(char):04X}"


def describe_char(char: str) -> str:
    """``'R' (U+0052)`` for a visible character, ``U+200B`` for one that shows nothing."""
    visible = char.isprintable() and not unicodedata.category(char).startswith(("C", "Z"))
    return f"'{char}' ({code_point(char)})" if visible else code_point(char)
