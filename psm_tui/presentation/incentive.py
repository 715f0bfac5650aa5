"""The PSM incentive list ("daftar nominatif") finance asks for each month.

Who is listed: every PSM on the roster during the month (joined by its last day, and active, or
deactivated no earlier than its first day, so someone who left mid-month is still paid for it).
Who is due the incentive: a PSM *active* that month, meaning at least one note, home visit or call
(``Activity`` of kind catatan / kunjungan / telepon) dated in the month, recorded for them
(``Activity.worker``) on a case the assignment history shows they held at that moment.
The amount is the rate in force that month (see :func:`rate_for`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from peewee import fn

from psm_tui.core.case_queries import mask_nik
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ValidationError
from psm_tui.core.reference import all_kecamatan, all_kelurahan
from psm_tui.core.reports import add_months, month_end
from psm_tui.i18n import _
from psm_tui.presentation.tables import Column, ReportTable, total_label
from psm_tui.store.models import Activity, Worker
from psm_tui.store.rows import tuples


@dataclass(frozen=True)
class IncentiveRow:
    worker_id: int
    name: str
    nik: str | None
    kelurahan_code: str
    kelurahan_name: str
    kecamatan_code: str
    kecamatan_name: str
    activities: int
    amount: int

    @property
    def eligible(self) -> bool:
        return self.activities > 0


@dataclass(frozen=True)
class IncentiveTotal:
    code: str
    name: str
    psm: int
    eligible: int
    amount: int


@dataclass(frozen=True)
class IncentiveList:
    month: dt.date
    rate: int
    rows: list[IncentiveRow]
    kelurahan: list[IncentiveTotal]
    kecamatan: list[IncentiveTotal]
    city: IncentiveTotal


def rate_for(month: dt.date, history: Sequence[Sequence[str | int]], current: int) -> int:
    """The monthly incentive in force in ``month``.

    ``history`` lists dated changes (``("2017-01", 350000)``, ...); ``current`` is the rate since
    the latest change, so a changed ``incentive_amount`` setting takes effect from that change.
    A month before the first change had no incentive scheme and is refused.
    """
    changes: list[tuple[dt.date, int]] = []
    for entry in history:
        since, amount = str(entry[0]), int(entry[1])
        try:
            start = dt.datetime.strptime(since, "%Y-%m").date()
        except ValueError:
            raise ValidationError(
                _("Incentive rate date {value} is not YYYY-MM").format(value=since),
                "incentive_rates",
            ) from None
        changes.append((start, amount))
    changes.sort()
    if changes:
        changes[-1] = (changes[-1][0], current)
    in_force = [amount for start, amount in changes if start <= month]
    if not in_force:
        raise ValidationError(
            _("No PSM incentive rate is configured for {month}").format(month=f"{month:%Y-%m}"),
            "month",
        )
    return in_force[-1]


def _active_counts(month: dt.date) -> dict[int, int]:
    """Incentive evidence (:func:`roster.held_activities`) per worker in ``month``."""
    from psm_tui.core.roster import held_activities

    start = dt.datetime.combine(month, dt.time())
    end = dt.datetime.combine(add_months(month, 1), dt.time())
    query = (
        held_activities()
        .select(Activity.worker, fn.COUNT(Activity.id.distinct()))
        .where(Activity.at >= start, Activity.at < end)
        .group_by(Activity.worker)
    )
    return {int(wid): int(n) for wid, n in tuples(query)}


def _totals(rows: list[IncentiveRow], code: str, name: str) -> IncentiveTotal:
    return IncentiveTotal(
        code, name, len(rows), sum(1 for r in rows if r.eligible), sum(r.amount for r in rows)
    )


def incentive_list(
    actor: Actor | None, month: dt.date, *, rate: int, kecamatan: str | None = None
) -> IncentiveList:
    """The PSM on the roster in ``month``, their activity and amount due (NIK masked by role)."""
    first, last = month, month_end(month)
    query = Worker.select(
        Worker.id, Worker.name, Worker.nik, Worker.kelurahan, Worker.kecamatan
    ).where(
        Worker.kind == "psm",
        Worker.joined_on.is_null() | (Worker.joined_on <= last),
        (Worker.active == True) | (Worker.inactive_on >= first),  # noqa: E712
    )
    if kecamatan:
        query = query.where(Worker.kecamatan == kecamatan)
    counts = _active_counts(month)
    kelurahan = {k.code: k for k in all_kelurahan()}
    rows = []
    for wid, name, nik, kel_code, kec_code in tuples(query):
        kel = kelurahan[kel_code]
        done = counts.get(wid, 0)
        rows.append(
            IncentiveRow(
                wid,
                name,
                mask_nik(nik, actor),
                kel.code,
                kel.name,
                kec_code,
                kel.kecamatan_name,
                done,
                rate if done else 0,
            )
        )
    rows.sort(key=lambda r: (r.kecamatan_code, r.kelurahan_code, r.name, r.worker_id))
    by_kel = [
        _totals([r for r in rows if r.kelurahan_code == k.code], k.code, k.name)
        for k in kelurahan.values()
        if any(r.kelurahan_code == k.code for r in rows)
    ]
    by_kec = [
        _totals([r for r in rows if r.kecamatan_code == k.code], k.code, k.name)
        for k in all_kecamatan()
        if any(r.kecamatan_code == k.code for r in rows)
    ]
    return IncentiveList(
        month, rate, rows, by_kel, by_kec, _totals(rows, "", total_label(kecamatan))
    )


def incentive_tables(data: IncentiveList) -> list[ReportTable]:
    """The nominative list with kelurahan and kecamatan subtotals, then the two recaps."""
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
    return [nominatif, *recaps]


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
