"""``psm incentive prepare|pay|list``: the record that a month's PSM incentive was paid out.

The list itself is ``psm export incentive --month YYYY-MM -o daftar.pdf`` (or ``.xlsx``)."""

from __future__ import annotations

import click

from psm_tui.cli.context import CliState, pass_state
from psm_tui.cli.output import console, print_json, table
from psm_tui.core import incentive, reports
from psm_tui.core.incentive import RULES, Payout
from psm_tui.core.validation import parse_date
from psm_tui.i18n import _, format_date, format_rupiah


@click.group("incentive")
def incentive_group() -> None:
    """The monthly PSM incentive: prepare, then record the payout (once)."""


def _status(payout: Payout) -> str:
    return _("paid out") if payout.status == "paid" else _("prepared")


def _payout_json(payout: Payout) -> dict[str, object]:
    return {
        "month": f"{payout.month:%Y-%m}",
        "rule": payout.rule,
        "rate": payout.rate,
        "psm": payout.psm,
        "amount": payout.amount,
        "status": payout.status,
        "prepared_by": payout.prepared_by,
        "paid_on": payout.paid_on.isoformat() if payout.paid_on else None,
        "paid_by": payout.paid_by,
    }


def _echo(payout: Payout, as_json: bool) -> None:
    if as_json:
        print_json(_payout_json(payout))
        return
    click.echo(
        _("{month}: {status}, {count} PSM, {amount}").format(
            month=f"{payout.month:%Y-%m}",
            status=_status(payout),
            count=payout.psm,
            amount=format_rupiah(payout.amount),
        )
    )


@incentive_group.command("prepare")
@click.argument("month", metavar="YYYY-MM")
@click.option("--rule", type=click.Choice(RULES), help="Who is paid (default: the setting).")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def prepare(state: CliState, month: str, rule: str | None, as_json: bool) -> None:
    """Freeze a month's incentive figures (again, until it is paid out)."""
    settings = state.settings
    payout = incentive.prepare_month(
        state.actor(),
        reports.parse_month(month),
        rates=settings.incentive_rates,
        amount=settings.incentive_amount,
        rule=rule or settings.incentive_rule,
    )
    _echo(payout, as_json)


@incentive_group.command("pay")
@click.argument("month", metavar="YYYY-MM")
@click.option("--on", "paid_on", metavar="YYYY-MM-DD", help="Day of the transfer (default: today).")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def pay(state: CliState, month: str, paid_on: str | None, as_json: bool) -> None:
    """Record that a prepared month was paid out (disalurkan); a month is paid once."""
    day = parse_date(paid_on, "paid_on")
    _echo(incentive.pay_out(state.actor(), reports.parse_month(month), day), as_json)


@incentive_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def payout_list(state: CliState, as_json: bool) -> None:
    """The months prepared or paid out, newest first."""
    state.actor()
    found = incentive.payouts()
    if as_json:
        print_json([_payout_json(p) for p in found])
        return
    out = table(_("Month"), _("Status"), "PSM", _("Amount"), _("Paid on"), _("By"))
    for p in found:
        out.add_row(
            f"{p.month:%Y-%m}",
            _status(p),
            str(p.psm),
            format_rupiah(p.amount),
            format_date(p.paid_on),
            p.paid_by or p.prepared_by,
        )
    console().print(out)


COMMANDS = [incentive_group]
