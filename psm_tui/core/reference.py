"""Reference data (kecamatan, kelurahan, PPKS categories, OPD): loading, lookup by name or code."""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from pathlib import Path

from psm_tui.core.dto import KelurahanRef, Ref
from psm_tui.core.errors import NotFoundError
from psm_tui.i18n import _
from psm_tui.store.database import db, reference_dir
from psm_tui.store.models import Category, Kecamatan, Kelurahan, Opd

# Names used before Permensos 8/2012 and in older office files, mapped to today's PPKS codes.
LEGACY_CATEGORIES = {
    "wanita rawan sosial ekonomi": 23,
    "wrse": 23,
    "penyandang cacat": 9,
    "penyandang cacat fisik": 9,
    "penyandang cacat mental": 9,
    "anak cacat": 5,
    "anak dengan kecacatan": 5,
    "lanjut usia": 8,
    "lansia": 8,
    "lansia terlantar": 8,
    "odha": 16,
    "korban napza": 17,
    "tuna susila": 10,
    "wanita tuna susila": 10,
    "keluarga fakir miskin": 24,
    "miskin": 24,
    "pekerja migran": 20,
    "eks narapidana": 15,
    "bekas narapidana": 15,
    "keluarga berumah tidak layak huni": 24,
    "korban tindak kekerasan atau diperlakukan salah": 19,
    # PMKS names of older office files (Kepmensos 2005-2012) seen in imports.
    "anak nakal": 3,
    "anak berhadapan dengan hukum": 3,
    "anak penyandang cacat": 5,
    "anak korban tindak kekerasan": 6,
    "penyandang cacat ganda": 9,
    "penyandang cacat eks penyakit kronis": 9,
    "penderita hiv/aids": 16,
    "korban perdagangan orang": 18,
    "keluarga miskin": 24,
    "keluarga berumah tak layak huni": 24,
    "pekerja migran bermasalah": 20,
}


def _read_csv(name: str, directory: Path | None = None) -> list[dict[str, str]]:
    with ((directory or reference_dir()) / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_reference(name: str) -> list[dict[str, str]]:
    """The rows of one shipped reference file (``db/reference/NAME``)."""
    return _read_csv(name)


def load_reference_data() -> dict[str, int]:
    """Insert or update every reference row; running it twice changes nothing."""
    kecamatan = _read_csv("kecamatan.csv")
    kelurahan = _read_csv("kelurahan.csv")
    categories = _read_csv("ppks_kategori.csv")
    opds = _read_csv("opd.csv")
    with db.atomic():
        for row in kecamatan:
            Kecamatan.insert(code=row["kode"], name=row["nama"]).on_conflict(
                conflict_target=[Kecamatan.code], update={Kecamatan.name: row["nama"]}
            ).execute()
        for row in kelurahan:
            values = {
                Kelurahan.name: row["nama"],
                Kelurahan.kecamatan: row["kode_kecamatan"],
                Kelurahan.aliases: row.get("alias") or "",
            }
            Kelurahan.insert({Kelurahan.code: row["kode"], **values}).on_conflict(
                conflict_target=[Kelurahan.code], update=values
            ).execute()
        for row in categories:
            values = {Category.name: row["nama"], Category.abbrev: row["singkatan"]}
            Category.insert({Category.code: int(row["kode"]), **values}).on_conflict(
                conflict_target=[Category.code], update=values
            ).execute()
        for row in opds:
            values = {
                Opd.abbrev: row["singkatan"],
                Opd.name: row["nama"],
                Opd.scope: row["bidang_rujukan"],
            }
            Opd.insert({Opd.code: row["kode"], **values}).on_conflict(
                conflict_target=[Opd.code], update=values
            ).execute()
    _index_cache.clear()
    return {
        "kecamatan": Kecamatan.select().count(),
        "kelurahan": Kelurahan.select().count(),
        "categories": Category.select().count(),
        "opd": Opd.select().count(),
    }


def fold(text: str) -> str:
    """Lower case, no diacritics, punctuation or spaces: 'Kel. Sumur-Pacing' -> 'sumurpacing'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"^\s*(kel(urahan)?|kec(amatan)?|desa)\b\.?", "", text)
    return re.sub(r"[^a-z0-9]", "", text)


_Index = tuple[dict[str, KelurahanRef], dict[str, list[KelurahanRef]]]
_index_cache: list[_Index] = []


def _kelurahan_index() -> _Index:
    """Reference data never changes while the app runs; read it once (but never cache emptiness)."""
    if _index_cache:
        return _index_cache[0]
    by_code: dict[str, KelurahanRef] = {}
    by_name: dict[str, list[KelurahanRef]] = {}
    query = Kelurahan.select(Kelurahan, Kecamatan).join(Kecamatan).order_by(Kelurahan.code)
    for row in query:
        ref = KelurahanRef(row.code, row.name, row.kecamatan.code, row.kecamatan.name)
        by_code[row.code] = ref
        # An alias may differ from the name only in spacing ("Margasari"): index the ref once.
        for key in dict.fromkeys(
            fold(n) for n in [row.name, *filter(None, row.aliases.split("|"))]
        ):
            by_name.setdefault(key, []).append(ref)
    if by_code:
        _index_cache.append((by_code, by_name))
    return by_code, by_name


def all_kelurahan() -> list[KelurahanRef]:
    return list(_kelurahan_index()[0].values())


def kelurahan_by_code(code: str) -> KelurahanRef:
    try:
        return _kelurahan_index()[0][code]
    except KeyError:
        raise NotFoundError(_("Unknown kelurahan code {code}").format(code=code)) from None


def suggest_kelurahan(text: str, limit: int = 3) -> list[KelurahanRef]:
    by_name = _kelurahan_index()[1]
    names = difflib.get_close_matches(fold(text), list(by_name), n=limit, cutoff=0.6)
    seen: dict[str, KelurahanRef] = {}
    for name in names:
        for ref in by_name[name]:
            seen.setdefault(ref.code, ref)
    return list(seen.values())[:limit]


def find_kelurahan(text: str, kecamatan: str | None = None) -> KelurahanRef:
    """A kelurahan by Kemendagri code or by name/alias in any case; ``kecamatan`` disambiguates.

    An unknown name fails with the closest suggestions.
    """
    text = text.strip()
    by_code, by_name = _kelurahan_index()
    if text in by_code:
        ref = by_code[text]
    else:
        matches = by_name.get(fold(text), [])
        if kecamatan:
            kec = find_kecamatan(kecamatan)
            elsewhere, matches = matches, [m for m in matches if m.kecamatan_code == kec.code]
            if elsewhere and not matches:
                raise NotFoundError(
                    _("{kelurahan} is not in Kec. {kecamatan}").format(
                        kelurahan="; ".join(m.label for m in elsewhere), kecamatan=kec.name
                    )
                )
        if len(matches) == 1:
            ref = matches[0]
        elif len(matches) > 1:
            raise NotFoundError(
                _("Kelurahan {name} is ambiguous: {options}").format(
                    name=text, options="; ".join(m.label for m in matches)
                )
            )
        else:
            hints = suggest_kelurahan(text)
            message = _("Unknown kelurahan {name}").format(name=text)
            if hints:
                message += ". " + _("Did you mean: {options}?").format(
                    options="; ".join(h.label for h in hints)
                )
            raise NotFoundError(message)
    if kecamatan:
        kec = find_kecamatan(kecamatan)
        if ref.kecamatan_code != kec.code:
            raise NotFoundError(
                _("{kelurahan} is not in Kec. {kecamatan}").format(
                    kelurahan=ref.label, kecamatan=kec.name
                )
            )
    return ref


def all_kecamatan() -> list[Ref]:
    return [Ref(k.code, k.name) for k in Kecamatan.select().order_by(Kecamatan.code)]


def kecamatan_label(code: str) -> str:
    """``Kec. Cipondoh`` for ``36.71.05``: people say names; codes are for the database."""
    row = Kecamatan.get_or_none(Kecamatan.code == code)
    return _("Kec. {name}").format(name=row.name) if row else code


def find_kecamatan(text: str) -> Ref:
    wanted = fold(text)
    options = all_kecamatan()
    for kec in options:
        if text.strip() == kec.code or fold(kec.name) == wanted:
            return kec
    hints = difflib.get_close_matches(wanted, [fold(k.name) for k in options], n=3, cutoff=0.6)
    message = _("Unknown kecamatan {name}").format(name=text)
    if hints:
        names = [k.name for k in options if fold(k.name) in hints]
        message += ". " + _("Did you mean: {options}?").format(options=", ".join(names))
    raise NotFoundError(message)


def all_categories() -> list[Ref]:
    return [Ref(str(c.code), c.name) for c in Category.select().order_by(Category.code)]


def find_category(text: str | int) -> Ref:
    """A PPKS category by number (1-26), name, abbreviation or legacy name."""
    value = str(text).strip()
    categories = all_categories()
    if value.isdigit():
        for cat in categories:
            if cat.code == str(int(value)):
                return cat
    wanted = fold(value)
    legacy = {fold(k): v for k, v in LEGACY_CATEGORIES.items()}
    abbrevs = {fold(c.abbrev): str(c.code) for c in Category.select(Category.code, Category.abbrev)}
    for cat in categories:
        if fold(cat.name) == wanted:
            return cat
    code = abbrevs.get(wanted) or (str(legacy[wanted]) if wanted in legacy else None)
    if code:
        return next(c for c in categories if c.code == code)
    hints = difflib.get_close_matches(wanted, [fold(c.name) for c in categories], n=3, cutoff=0.5)
    message = _("Unknown PPKS category {name}").format(name=value)
    if hints:
        names = [f"{c.code} {c.name}" for c in categories if fold(c.name) in hints]
        message += ". " + _("Did you mean: {options}?").format(options="; ".join(names))
    raise NotFoundError(message)


def all_opds() -> list[Ref]:
    return [Ref(o.code, o.abbrev) for o in Opd.select().order_by(Opd.code)]


def find_opd(text: str) -> Ref:
    wanted = fold(text)
    for opd in Opd.select():
        if wanted in (fold(opd.code), fold(opd.abbrev)):
            return Ref(opd.code, opd.abbrev)
    raise NotFoundError(
        _("Unknown OPD {code}. Known: {options}").format(
            code=text, options=", ".join(o.code for o in all_opds())
        )
    )
