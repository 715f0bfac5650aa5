"""The PSM incentive as tables (CSV, the TUI) and as the daftar nominatif finance signs off.

Who is due what is :mod:`psm_tui.core.incentive`'s business; here the list becomes the
document: heading, legal basis, the rule named, only the payable rows, the total in words and
the signature block, all from configuration (:class:`DocumentSettings`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from babel.dates import format_date as babel_format_date
from num2words import num2words

from psm_tui.config import Settings
from psm_tui.core.incentive import IncentiveList, IncentiveRow, IncentiveTotal, rule_label
from psm_tui.i18n import _, current_language, format_month, format_rupiah
from psm_tui.presentation.tables import Column, ReportTable


def terbilang(amount: int) -> str:
    """The amount in Indonesian words, as a payment order writes it: ``Lima ratus ribu rupiah``.

    Always Indonesian: it is the legal wording of a rupiah amount, whatever the reader's language.
    """
    words = num2words(amount, lang="id")
    return f"{words[:1].upper()}{words[1:]} rupiah"


def rupiah_digits(amount: int) -> str:
    """``500.000``: Indonesian grouping in both languages, as on every rupiah document."""
    return format_rupiah(amount).removeprefix("Rp")


def day_in_words(day: dt.date) -> str:
    """``5 Desember 2026``, for the place and date above the signatures."""
    return babel_format_date(day, format="d MMMM y", locale=current_language())


@dataclass(frozen=True)
class Signatory:
    """One signature box: the office (may run over lines), then the name and NIP under it."""

    title: str
    name: str = ""
    nip: str = ""


@dataclass(frozen=True)
class DocumentSettings:
    """What the office configures about the document (``psm_tui.config.Settings``)."""

    heading: tuple[str, ...]
    basis: str
    place: str
    signatories: tuple[Signatory, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> DocumentSettings:
        return cls(
            tuple(settings.incentive_heading),
            settings.incentive_basis,
            settings.incentive_place,
            tuple(Signatory(*(str(part) for part in s)) for s in settings.incentive_signatories),
        )


@dataclass(frozen=True)
class IncentiveDocument:
    """The daftar nominatif, ready for a renderer: every text worded, only payable rows."""

    heading: tuple[str, ...]
    title: str
    month: str
    basis: str
    rule: str
    rate: str
    rows: list[IncentiveRow]
    total: int
    total_words: str
    listed: int
    place_date: str
    signatories: tuple[Signatory, ...]
    kecamatan: list[IncentiveTotal]

    def columns(self) -> list[tuple[str, int]]:
        """Header and width (characters) of each column, in order."""
        return [
            (_("No."), 5),
            (_("Name"), 24),
            ("NIK", 18),
            (_("Kelurahan"), 17),
            (_("Bank"), 12),
            (_("Account number"), 17),
            (_("Account holder"), 20),
            (_("Amount (Rp)"), 13),
            (_("Signature"), 16),
        ]

    def values(self, row: IncentiveRow) -> tuple[str | None, ...]:
        """The text columns between No. and the amount."""
        return (row.name, row.nik, row.kelurahan_name, row.bank, row.account, row.holder)


def incentive_document(
    data: IncentiveList, settings: DocumentSettings, made_on: dt.date, where: str = ""
) -> IncentiveDocument:
    """The list as finance expects it: rows at Rp0 left out, each rule and text named."""
    payable = data.payable
    total = sum(r.amount for r in payable)
    return IncentiveDocument(
        heading=settings.heading,
        title=_("List of PSM incentive recipients (daftar nominatif)")
        + (f" - {where}" if where else ""),
        month=_("Month: {month}").format(month=format_month(data.month)),
        basis=_("Legal basis: {basis}").format(basis=settings.basis),
        rule=_("Paid to: {rule} ({paid} of {listed} PSM listed)").format(
            rule=rule_label(data.rule), paid=len(payable), listed=len(data.rows)
        ),
        rate=_("{rate} per person per month").format(rate=format_rupiah(data.rate)),
        rows=payable,
        total=total,
        total_words=terbilang(total),
        listed=len(data.rows),
        place_date=f"{settings.place}, {day_in_words(made_on)}",
        signatories=settings.signatories,
        kecamatan=data.kecamatan,
    )


def incentive_tables(data: IncentiveList, *, for_people: bool = False) -> list[ReportTable]:
    """The nominative list with kelurahan and kecamatan subtotals, then the two recaps.

    ``for_people`` (a CSV someone opens, not ``--plain`` for a script): only the payable rows,
    totalled over them, and without the columns a script needs to tell rows apart (``Row``,
    ``Active``: every row listed is then a paid PSM)."""
    if for_people:
        data = payable_only(data)
    nominatif = ReportTable(
        "incentive",
        _("PSM incentive list"),
        [
            Column("row_type", _("Row"), "text", 10),
            Column("no", _("No."), "int", 5),
            Column("worker_id", "ID", "int", 7),
            Column("name", _("Name"), "text", 30),
            Column("nik", "NIK", "id", 18),
            Column("kelurahan", _("Kelurahan"), "text", 20),
            Column("kecamatan", _("Kecamatan"), "text", 15),
            Column("activities", _("Visits and notes"), "int", 10),
            Column("active", _("Active (1 = yes)"), "int", 9),
            Column("amount", _("Amount"), "money", 13),
            Column("signature", _("Signature"), "text", 16),
        ],
    )
    kel_totals = {t.code: t for t in data.kelurahan}
    kec_totals = {t.code: t for t in data.kecamatan}
    done = {"kelurahan": 0, "kecamatan": 0, "kota": 0}
    for index, row in enumerate(data.rows, start=1):
        nominatif.add(
            row.worker_id,
            "psm",
            index,
            row.worker_id,
            row.name,
            row.nik,
            row.kelurahan_name,
            row.kecamatan_name,
            row.activities,
            int(row.eligible),
            row.amount,
            "",
        )
        for level in done:
            done[level] += row.activities
        following = data.rows[index] if index < len(data.rows) else None
        if following is None or following.kelurahan_code != row.kelurahan_code:
            t = kel_totals[row.kelurahan_code]
            label = _("Total Kel. {name} ({count} PSM)").format(name=t.name, count=t.psm)
            nominatif.add(
                t.code,
                "kelurahan",
                None,
                None,
                label,
                None,
                t.name,
                row.kecamatan_name,
                done["kelurahan"],
                t.eligible,
                t.amount,
                "",
                total=True,
            )
            done["kelurahan"] = 0
        if following is None or following.kecamatan_code != row.kecamatan_code:
            t = kec_totals[row.kecamatan_code]
            label = _("Total Kec. {name} ({count} PSM)").format(name=t.name, count=t.psm)
            nominatif.add(
                t.code,
                "kecamatan",
                None,
                None,
                label,
                None,
                None,
                t.name,
                done["kecamatan"],
                t.eligible,
                t.amount,
                "",
                total=True,
            )
            done["kecamatan"] = 0
    city = data.city
    label = _("{name} ({count} PSM)").format(name=city.name, count=city.psm)
    nominatif.add(
        "city",
        "kota",
        None,
        None,
        label,
        None,
        None,
        None,
        done["kota"],
        city.eligible,
        city.amount,
        "",
        total=True,
    )
    recaps = [
        _recap(
            "incentive_kelurahan", _("Recap per kelurahan"), _("Kelurahan"), data.kelurahan, city
        ),
        _recap(
            "incentive_kecamatan", _("Recap per kecamatan"), _("Kecamatan"), data.kecamatan, city
        ),
    ]
    if for_people:
        nominatif = without_columns(nominatif, {"row_type", "active"})
    return [nominatif, *recaps]


def payable_only(data: IncentiveList) -> IncentiveList:
    """``data`` with only the rows paid, every subtotal counted again over them."""
    rows = data.payable
    kelurahan = [t for t in (_regrouped(rows, t, "kelurahan_code") for t in data.kelurahan) if t]
    kecamatan = [t for t in (_regrouped(rows, t, "kecamatan_code") for t in data.kecamatan) if t]
    city = IncentiveTotal(
        data.city.code, data.city.name, len(rows), len(rows), sum(r.amount for r in rows)
    )
    return replace(data, rows=rows, kelurahan=kelurahan, kecamatan=kecamatan, city=city)


def _regrouped(rows: list[IncentiveRow], area: IncentiveTotal, attr: str) -> IncentiveTotal | None:
    inside = [r for r in rows if getattr(r, attr) == area.code]
    if not inside:
        return None
    return IncentiveTotal(
        area.code, area.name, len(inside), len(inside), sum(r.amount for r in inside)
    )


def without_columns(table: ReportTable, keys: set[str]) -> ReportTable:
    """A copy of ``table`` without the columns named in ``keys``."""
    kept = [i for i, c in enumerate(table.columns) if c.key not in keys]
    return replace(
        table,
        columns=[table.columns[i] for i in kept],
        rows=[replace(r, values=tuple(r.values[i] for i in kept)) for r in table.rows],
    )


def _recap(
    key: str, title: str, area: str, totals: list[IncentiveTotal], city: IncentiveTotal
) -> ReportTable:
    table = ReportTable(
        key,
        title,
        [
            Column("code", _("Code"), "text", 14),
            Column("area", area, "text", 22),
            Column("psm", _("PSM listed"), "int", 10),
            Column("eligible", _("PSM active"), "int", 10),
            Column("amount", _("Amount"), "money", 15),
        ],
    )
    for t in totals:
        table.add(t.code, t.code, t.name, t.psm, t.eligible, t.amount)
    table.add("city", "", city.name, city.psm, city.eligible, city.amount, total=True)
    return table
