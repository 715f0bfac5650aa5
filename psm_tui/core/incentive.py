"""The PSM incentive: who is due it in a month, how much, and the record that it was paid.

Who is listed: every PSM on the roster during the month (joined by its last day, and active, or
deactivated no earlier than its first day, so someone who left mid-month is still paid for it).
Who is due it depends on the ``incentive_rule`` setting (:data:`RULES`):

* ``roster`` (the default, the seed's reading: "untuk setiap orangnya"): every PSM listed;
* ``activity``: only a PSM with a note, home visit or call dated in the month, recorded for
  them on a case the assignment history shows they held then (:func:`roster.held_activities`).

The amount is the rate in force that month (:func:`rate_for`). A month is *prepared* (its
figures frozen in an :class:`IncentivePayout`), then *disalurkan* (paid out) once: a second
payout of the same month is refused. Both steps are audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from peewee import fn

from psm_tui.core import audit, clock
from psm_tui.core.bank import mask_account
from psm_tui.core.case_queries import mask_nik
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ConflictError, ValidationError
from psm_tui.core.pending_imports import visible
from psm_tui.core.reference import all_kecamatan, all_kelurahan
from psm_tui.core.reports import add_months, month_end
from psm_tui.core.roster import held_activities
from psm_tui.core.users import can, require
from psm_tui.i18n import _, format_date
from psm_tui.store.database import db
from psm_tui.store.models import Activity, IncentivePayout, StaffUser, Worker
from psm_tui.store.rows import tuples

RULES = ("roster", "activity")
PAYOUT_STATUSES = ("prepared", "paid")


def rule_label(rule: str) -> str:
    """The rule as the document names it."""
    return {
        "roster": _("every PSM active on the roster in the month"),
        "activity": _("PSM with a note, home visit or call in the month"),
    }[check_rule(rule)]


def check_rule(rule: str) -> str:
    if rule not in RULES:
        raise ValidationError(
            _("Unknown incentive rule {rule}; use {rules}").format(
                rule=rule, rules=" or ".join(RULES)
            ),
            "incentive_rule",
        )
    return rule


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
    bank: str | None = None
    account: str | None = None
    holder: str | None = None

    @property
    def eligible(self) -> bool:
        return self.amount > 0


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
    rule: str
    rows: list[IncentiveRow]
    kelurahan: list[IncentiveTotal]
    kecamatan: list[IncentiveTotal]
    city: IncentiveTotal

    @property
    def payable(self) -> list[IncentiveRow]:
        """The rows people sign for: no one is listed to sign for Rp0."""
        return [r for r in self.rows if r.eligible]


def rate_for(month: dt.date, history: Sequence[Sequence[str | int]], current: int) -> int:
    """The monthly incentive in force in ``month``.

    ``history`` lists dated changes (``("2017-01", 350000)``, ...); ``current`` is the rate since
    the latest change, so a changed ``incentive_amount`` setting takes effect from that change.
    A month before the first change had no incentive scheme and is refused.
    """
    changes = []
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
    return int(in_force[-1])


def _active_counts(month: dt.date) -> dict[int, int]:
    """Incentive evidence (:func:`roster.held_activities`) per worker in ``month``."""
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
    actor: Actor | None,
    month: dt.date,
    *,
    rate: int,
    rule: str = "roster",
    kecamatan: str | None = None,
    city_label: str = "",
) -> IncentiveList:
    """The PSM on the roster in ``month``, their activity and amount due under ``rule``.

    NIK and account number are masked unless ``actor`` may see them in full."""
    check_rule(rule)
    first, last = month, month_end(month)
    query = Worker.select(
        Worker.id,
        Worker.name,
        Worker.nik,
        Worker.kelurahan,
        Worker.kecamatan,
        Worker.bank_name,
        Worker.bank_account,
        Worker.bank_holder,
    ).where(
        Worker.kind == "psm",
        Worker.joined_on.is_null() | (Worker.joined_on <= last),
        visible(Worker.id),
        (Worker.active == True) | (Worker.inactive_on >= first),  # noqa: E712
    )
    if kecamatan:
        query = query.where(Worker.kecamatan == kecamatan)
    counts = _active_counts(month)
    kelurahan = {k.code: k for k in all_kelurahan()}
    rows = []
    for wid, name, nik, kel_code, kec_code, bank, account, holder in tuples(query):
        kel = kelurahan[kel_code]
        done = counts.get(wid, 0)
        due = rule == "roster" or done > 0
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
                rate if due else 0,
                bank,
                mask_account(account, actor),
                holder if actor is not None and can(actor, "bank.full") else None,
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
        month, rate, rule, rows, by_kel, by_kec, _totals(rows, "", city_label or _("City total"))
    )


# --- the payout record ------------------------------------------------------------------------


@dataclass(frozen=True)
class Payout:
    month: dt.date
    rule: str
    rate: int
    psm: int
    amount: int
    status: str
    prepared_at: dt.datetime
    prepared_by: str
    paid_on: dt.date | None
    paid_by: str | None


def _payout(row: IncentivePayout) -> Payout:
    return Payout(
        row.month,
        row.rule,
        row.rate,
        row.psm,
        row.amount,
        row.status,
        row.prepared_at,
        _who(row.prepared_by),
        row.paid_on,
        _who(row.paid_by) if row.paid_by_id else None,
    )


def _who(user: StaffUser | None) -> str:
    return user.username if user is not None else "-"


def payouts() -> list[Payout]:
    """Every month prepared or paid, newest first."""
    query = IncentivePayout.select().order_by(IncentivePayout.month.desc())
    return [_payout(row) for row in query]


def payout_for(month: dt.date) -> Payout | None:
    row = IncentivePayout.get_or_none(IncentivePayout.month == month.replace(day=1))
    return _payout(row) if row else None


def _refuse_paid(row: IncentivePayout) -> None:
    if row.status == "paid":
        raise ConflictError(
            _("The incentive for {month} was already paid out on {date} by {user}").format(
                month=f"{row.month:%Y-%m}", date=format_date(row.paid_on), user=_who(row.paid_by)
            )
        )


def prepare_payout(actor: Actor, data: IncentiveList) -> Payout:
    """Freeze the month's figures (again, while it is not paid out)."""
    require(actor, "incentive.pay")
    month = data.month.replace(day=1)
    figures = {
        "rule": data.rule,
        "rate": data.rate,
        "psm": data.city.eligible,
        "amount": data.city.amount,
    }
    with db.atomic():
        row = IncentivePayout.get_or_none(IncentivePayout.month == month)
        if row is not None:
            _refuse_paid(row)
            before = {key: getattr(row, key) for key in figures}
            IncentivePayout.update(**figures, prepared_at=clock.now(), prepared_by=actor.id).where(
                IncentivePayout.id == row.id
            ).execute()
        else:
            before = {}
            IncentivePayout.create(
                month=month,
                status="prepared",
                prepared_at=clock.now(),
                prepared_by=actor.id,
                **figures,
            )
        audit.record(
            actor, "incentive.prepare", "incentive", f"{month:%Y-%m}", audit.diff(before, figures)
        )
    found = payout_for(month)
    assert found is not None
    return found


def prepare_month(
    actor: Actor, month: dt.date, *, rates: Sequence[Sequence[str | int]], amount: int, rule: str
) -> Payout:
    """Prepare ``month`` under the configured rates (``incentive_rates``, ``incentive_amount``)
    and ``rule``: what ``psm incentive prepare`` and the TUI's Laporan view both do."""
    month = month.replace(day=1)
    data = incentive_list(actor, month, rate=rate_for(month, rates, amount), rule=rule)
    return prepare_payout(actor, data)


def pay_out(actor: Actor, month: dt.date, paid_on: dt.date | None = None) -> Payout:
    """Record that a prepared month was paid out (disalurkan); only once."""
    require(actor, "incentive.pay")
    month = month.replace(day=1)
    paid_on = paid_on or clock.today()
    if paid_on < month:
        raise ValidationError(
            _("{date} is before {month}").format(date=format_date(paid_on), month=f"{month:%Y-%m}"),
            "paid_on",
        )
    with db.atomic():
        row = IncentivePayout.get_or_none(IncentivePayout.month == month)
        if row is None:
            raise ConflictError(
                _("Prepare the incentive for {month} before paying it out").format(
                    month=f"{month:%Y-%m}"
                )
            )
        _refuse_paid(row)
        updated = (
            IncentivePayout.update(status="paid", paid_on=paid_on, paid_by=actor.id)
            .where(IncentivePayout.id == row.id, IncentivePayout.status == "prepared")
            .execute()
        )
        if updated != 1:  # paid meanwhile by someone else
            _refuse_paid(IncentivePayout.get_by_id(row.id))
        audit.record(
            actor,
            "incentive.pay",
            "incentive",
            f"{month:%Y-%m}",
            {
                "status": ["prepared", "paid"],
                "paid_on": [None, paid_on],
                "psm": row.psm,
                "amount": row.amount,
            },
        )
    found = payout_for(month)
    assert found is not None
    return found
