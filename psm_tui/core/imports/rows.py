"""One source row at a time: every cell checked with the same rules as manual entry.

A row either becomes a :class:`CaseRow`/:class:`WorkerRow` ready to write, or a list of
:class:`Refusal` naming the row, the column and the reason. Nothing here touches the database
except the (cached) reference lookups, so checking a file is cheap and needs no lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

from psm_tui.core.bank import validate_account, validate_bank, validate_holder
from psm_tui.core.dto import Actor, KelurahanRef, Ref
from psm_tui.core.errors import PsmError, ValidationError
from psm_tui.core.imports.columns import (
    ColumnMap,
    identifier_text,
    parse_birth_place_date,
    parse_choice,
    parse_desil,
    parse_sex,
    parse_when,
)
from psm_tui.core.labels import OPEN_STATUSES
from psm_tui.core.reference import find_category, find_kecamatan, find_kelurahan
from psm_tui.core.users import require
from psm_tui.core.validation import (
    validate_birth_date,
    validate_kk,
    validate_name,
    validate_nik,
    validate_phone,
    validate_rt_rw,
    validate_text,
)
from psm_tui.i18n import _

T = TypeVar("T")
_MISSING = object()
CACHE_LIMIT = 50_000  # distinct (check, cell text) results a checker keeps; more are recomputed
OLDEST_REPORT = dt.datetime(1950, 1, 1)


@dataclass(frozen=True)
class Refusal:
    row: int
    column: str
    reason: str


@dataclass(slots=True)
class CaseRow:
    row: int
    key: str
    name: str
    nik: str | None
    kk: str | None
    sex: str | None
    birth_date: dt.date | None
    address: str
    rt: str
    rw: str
    kelurahan: str
    phone: str | None
    dtsen: str
    dtsen_desil: int | None
    category: int
    priority: str
    source: str
    description: str
    reported_at: dt.datetime
    status: str
    outcome: str | None
    closed_at: dt.datetime | None
    file_status: str | None  # an open status of the file, imported as ``baru``


@dataclass(slots=True)
class WorkerRow:
    row: int
    key: str
    kind: str
    name: str
    nik: str | None
    phone: str | None
    kelurahan: str | None
    kecamatan: str
    joined_on: dt.date | None
    active: bool
    bank_name: str | None = None
    bank_account: str | None = None
    bank_holder: str | None = None


def row_key(*parts: object) -> str:
    """The idempotency key: a hash of the row's normalised content (not its spelling)."""
    text = "\x1f".join(
        " ".join(p.casefold().split()) if isinstance(p, str) else "" if p is None else str(p)
        for p in parts
    )
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


class _Cells:
    """One row's cells by field, collecting every problem instead of stopping at the first."""

    __slots__ = ("cells", "columns", "number", "problems", "values")

    def __init__(self, number: int, values: list[str], columns: ColumnMap) -> None:
        self.number = number
        self.values = values
        self.columns = columns
        width = len(values)
        self.cells = {f: values[i].strip() for f, i in columns.index.items() if i < width}
        self.problems: list[Refusal] = []

    def has(self, field: str) -> bool:
        return field in self.columns.index

    def get(self, field: str) -> str:
        return self.cells.get(field, "")

    def check(self, field: str, fn: Callable[..., T], *args: object, **kwargs: object) -> T | None:
        try:
            return fn(*args, **kwargs)
        except PsmError as error:
            self.refuse(field, str(error))
            return None

    def refuse(self, field: str | None, reason: str) -> None:
        column = self.columns.header(field) if field else ""
        self.problems.append(Refusal(self.number, column, reason))


class RowChecker:
    """Checks the rows of one file. Every check that depends on the cell's text alone is cached
    per distinct text (at most :data:`CACHE_LIMIT` of them): a file of 100,000 rows names a few
    hundred places, categories and dates, and repeats its names and descriptions."""

    def __init__(self, actor: Actor, columns: ColumnMap, permission: str, now: dt.datetime):
        self.actor = actor
        self.columns = columns
        self.permission = permission
        self.now = now
        self._cache: dict[tuple[object, ...], object] = {}

    def _lookup(self, cells: _Cells, field: str, fn: Callable[..., T], *args: object) -> T | None:
        """``fn(*args)`` once per distinct ``args`` (its failure too, refusing ``field`` of every
        row that has it); ``fn`` must depend on ``args`` alone."""
        key = (fn, *args)
        hit = self._cache.get(key, _MISSING)
        if hit is _MISSING:
            try:
                hit = fn(*args)
            except PsmError as error:
                hit = error
            if len(self._cache) < CACHE_LIMIT:
                self._cache[key] = hit
        if isinstance(hit, PsmError):
            cells.refuse(field, str(hit))
            return None
        return cast(T, hit)  # what fn returned for these args

    def _in_scope(self, kecamatan_code: str) -> bool:
        """The actor may write in this kecamatan (an operator may be scoped to one)."""
        require(self.actor, self.permission, kecamatan_code)
        return True

    def _choice(self, cells: _Cells, field: str, vocabulary: str, default: str) -> str | None:
        text = cells.get(field)
        if not text:
            return default
        return self._lookup(cells, field, parse_choice, text, vocabulary, field, default)

    def _date(
        self,
        cells: _Cells,
        field: str,
        parse: Callable[[str, str], dt.datetime | None] = parse_when,
    ) -> dt.datetime | None:
        text = cells.get(field)
        return self._lookup(cells, field, parse, text, field) if text else None

    def _common(self, cells: _Cells) -> tuple[str | None, str | None, dt.date | None, str | None]:
        """Name, sex, birth date and NIK, the NIK checked against the other two."""
        name = self._lookup(cells, "name", validate_name, cells.get("name"))
        sex = None
        if text := cells.get("sex"):
            sex = self._lookup(cells, "sex", parse_sex, text)
        born = None
        for field, parse in (
            ("birth_date", parse_when),
            ("birth_place_date", parse_birth_place_date),
        ):
            if when := self._date(cells, field, parse):
                born = self._lookup(cells, field, validate_birth_date, when.date())
                break
        nik = None
        if text := cells.get("nik"):
            nik = cells.check("nik", identifier_text, text, "NIK", "nik")
            if nik:
                nik = cells.check("nik", validate_nik, nik, sex=sex, birth_date=born)
        return name, sex, born, nik or None

    def _place(self, cells: _Cells) -> tuple[Ref | None, KelurahanRef | None, bool]:
        """The kecamatan and kelurahan of the row; False if either was given but is wrong."""
        kec = None
        if cells.get("kecamatan"):
            kec = self._lookup(cells, "kecamatan", find_kecamatan, cells.get("kecamatan"))
            if kec is None:
                return None, None, False
        kel = None
        if cells.get("kelurahan"):
            kel = self._lookup(cells, "kelurahan", _place_kelurahan, cells.get("kelurahan"), kec)
            if kel is None:
                return kec, None, False
        return kec, kel, True

    def _width(self, cells: _Cells) -> None:
        if len(cells.values) > len(self.columns.headers) and any(
            v.strip() for v in cells.values[len(self.columns.headers) :]
        ):
            cells.refuse(
                None,
                _(
                    "The row has {count} values but the header has {columns} "
                    "columns (a delimiter inside an unquoted value?)"
                ).format(count=len(cells.values), columns=len(self.columns.headers)),
            )

    def case(self, number: int, values: list[str]) -> CaseRow | list[Refusal]:
        cells = _Cells(number, values, self.columns)
        self._width(cells)
        name, sex, born, nik = self._common(cells)
        kk = None
        if text := cells.get("kk"):
            kk = cells.check("kk", identifier_text, text, "No. KK", "kk")
            kk = cells.check("kk", validate_kk, kk) if kk else None
        _kec, kel, _placed = self._place(cells)
        if kel is None and not cells.get("kelurahan"):
            cells.refuse("kelurahan", _("Kelurahan is empty"))
        if kel is not None and not self._lookup(
            cells, "kelurahan", self._in_scope, kel.kecamatan_code
        ):
            kel = None
        category = None
        if text := cells.get("category"):
            category = self._lookup(cells, "category", _category_code, text)
        else:
            cells.refuse("category", _("PPKS category is empty"))
        rt, rw = self._rt_rw(cells)
        desil = None
        if text := cells.get("dtsen_desil"):
            desil = self._lookup(cells, "dtsen_desil", parse_desil, text)
        dtsen = self._choice(cells, "dtsen", "dtsen", "terdaftar" if desil else "tidak_diketahui")
        reported = self._reported(cells)
        status = self._choice(cells, "status", "status", "baru")
        closed, outcome = self._closing(cells, status, reported)
        address: str | None = cells.get("address")
        if address:
            address = self._lookup(cells, "address", _address, address)
        description: str | None = cells.get("description")
        if description:
            description = self._lookup(cells, "description", _description, description)
        phone = None
        if text := cells.get("phone"):
            phone = cells.check("phone", validate_phone, text)
        priority = self._choice(cells, "priority", "priority", "normal")
        source = self._choice(cells, "source", "source", "datang_langsung")
        if cells.problems:
            return cells.problems
        # Each of these is None only after a refusal, and a refused row has returned above.
        assert name is not None and kel is not None and category is not None
        assert dtsen is not None and priority is not None and source is not None
        assert status is not None
        file_status = None
        if status in OPEN_STATUSES and status != "baru":
            file_status, status = status, "baru"
        # The key holds the file's report date, never the import time that stands in for it.
        key = row_key("case", name, nik, born, kel.code, category, reported, description)
        return CaseRow(
            row=number,
            key=key,
            name=name,
            nik=nik,
            kk=kk,
            sex=sex,
            birth_date=born,
            address=address or "",
            rt=rt,
            rw=rw,
            kelurahan=kel.code,
            phone=phone,
            dtsen=dtsen,
            dtsen_desil=desil,
            category=category,
            priority=priority,
            source=source,
            description=description or "",
            reported_at=reported or self.now,
            status=status,
            outcome=outcome,
            closed_at=closed,
            file_status=file_status,
        )

    def _rt_rw(self, cells: _Cells) -> tuple[str, str]:
        rt_text, rw_text = cells.get("rt"), cells.get("rw")
        if cells.get("rt_rw") and not (rt_text or rw_text):
            parts = re.split(r"[/\\\-]", cells.get("rt_rw"), maxsplit=1)
            rt_text, rw_text = parts[0], parts[1] if len(parts) > 1 else ""
        rt = rw = ""
        if rt_text:
            field = "rt" if cells.has("rt") else "rt_rw"
            rt = self._lookup(cells, field, validate_rt_rw, _strip_unit(rt_text), "RT") or ""
        if rw_text:
            field = "rw" if cells.has("rw") else "rt_rw"
            rw = self._lookup(cells, field, validate_rt_rw, _strip_unit(rw_text), "RW") or ""
        return rt, rw

    def _reported(self, cells: _Cells) -> dt.datetime | None:
        reported = self._date(cells, "reported_at")
        if reported and not OLDEST_REPORT <= reported <= self.now + dt.timedelta(days=1):
            cells.refuse(
                "reported_at",
                _("Report date {value} is in the future or before 1950").format(
                    value=cells.get("reported_at")
                ),
            )
            return None
        return reported

    def _closing(
        self, cells: _Cells, status: str | None, reported: dt.datetime | None
    ) -> tuple[dt.datetime | None, str | None]:
        if status not in ("selesai", "ditutup"):
            return None, None
        closed = self._date(cells, "closed_at") or reported or self.now
        if reported and closed < reported:
            cells.refuse(
                "closed_at",
                _("Closing date {value} is before the report date").format(
                    value=cells.get("closed_at")
                ),
            )
        outcome = None
        if text := cells.get("outcome"):
            outcome = self._lookup(cells, "outcome", _outcome, text)
        return closed, outcome or _("Imported as finished; the file gave no outcome")

    def worker(self, number: int, values: list[str]) -> WorkerRow | list[Refusal]:
        cells = _Cells(number, values, self.columns)
        self._width(cells)
        kind = self._choice(cells, "kind", "kind", "psm")
        name, _sex, _born, nik = self._common(cells)
        phone = None
        if text := cells.get("phone"):
            phone = cells.check("phone", validate_phone, text)
        kec, kel, placed = self._place(cells)
        kec_code = kel.kecamatan_code if kel else kec.code if kec else None
        if placed and kind == "psm" and kel is None:
            cells.refuse("kelurahan", _("A PSM needs a kelurahan"))
        elif placed and kind == "tksk" and kec_code is None:
            cells.refuse("kecamatan", _("A TKSK needs a kecamatan"))
        joined = self._date(cells, "joined_on")
        if joined and joined.date() > self.now.date():
            cells.refuse(
                "joined_on",
                _("Joining date {value} is in the future").format(value=cells.get("joined_on")),
            )
        active = self._choice(cells, "active", "active", "1")
        bank = {
            field: cells.check(field, check, text) if (text := cells.get(field)) else None
            for field, check in (
                ("bank_name", validate_bank),
                ("bank_account", validate_account),
                ("bank_holder", validate_holder),
            )
        }
        if cells.problems or kind is None or kec_code is None:
            return cells.problems
        kel_code = kel.code if kel and kind == "psm" else None
        return WorkerRow(
            row=number,
            key=row_key("worker", kind, name, nik, kel_code or kec_code),
            kind=kind,
            name=name or "",
            nik=nik,
            phone=phone,
            kelurahan=kel_code,
            kecamatan=kec_code,
            joined_on=joined.date() if joined else None,
            active=active != "0",
            **bank,
        )


def _address(text: str) -> str:
    return validate_text(text, "address", limit=300)


def _description(text: str) -> str:
    return validate_text(text, "description")


def _outcome(text: str) -> str:
    return validate_text(text, "outcome")


def _place_kelurahan(text: str, kecamatan: Ref | None) -> KelurahanRef:
    """By code (dots optional), name or alias; ambiguity settled and membership checked by the
    kecamatan when the row gives one."""
    if re.fullmatch(r"\d{10}", text):
        text = f"{text[:2]}.{text[2:4]}.{text[4:6]}.{text[6:]}"
    try:
        ref = find_kelurahan(text)
    except PsmError:
        if kecamatan is None:
            raise
        ref = find_kelurahan(text, kecamatan.code)
    if kecamatan is not None and ref.kecamatan_code != kecamatan.code:
        raise ValidationError(
            _("{kelurahan} is not in Kec. {kecamatan}").format(
                kelurahan=ref.label, kecamatan=kecamatan.name
            ),
            "kelurahan",
        )
    return ref


def _category_code(text: str) -> int:
    """By number, name or legacy name; ``24 - Fakir Miskin`` and ``Fakir Miskin (FM)`` too."""
    if match := re.fullmatch(r"(\d{1,2})\s*[.\-:)]\s*\D.*", text.strip()):
        text = match.group(1)
    else:
        text = re.sub(r"\s*\([^)]*\)\s*$", "", text).strip() or text
    return int(find_category(text).code)


_UNIT = re.compile(r"(?i)^\s*r[tw]\s*\.?\s*")


def _strip_unit(text: str) -> str:
    """``RT 01`` / ``RW.002`` / ``01`` -> the number."""
    return _UNIT.sub("", text).strip() if text[:1] in "rR " else text
