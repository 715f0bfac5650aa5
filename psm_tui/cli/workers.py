"""``psm worker add|edit|list|show``: the PSM and TKSK roster. The commands that hand cases over
(``profile``, ``move``, ``deactivate``) are added to this group by :mod:`psm_tui.cli.roster`,
which imports this module (never the other way round)."""

from __future__ import annotations

import click

from psm_tui.cli.context import CliState, pass_state
from psm_tui.cli.output import console, print_json, table, worker_json, written_json_option
from psm_tui.cli.output import text as cell
from psm_tui.core import workers
from psm_tui.core.bank import bank_details
from psm_tui.core.workers import WorkerFilter
from psm_tui.i18n import _, format_date


@click.group("worker")
def worker_group() -> None:
    """PSM and TKSK."""


@worker_group.command("add")
@click.option("--kind", type=click.Choice(["psm", "tksk"]), default="psm", show_default=True)
@click.option("--name", required=True)
@click.option("--kelurahan", metavar="KEL")
@click.option("--kecamatan", metavar="KEC")
@click.option("--nik")
@click.option("--phone")
@click.option("--joined", metavar="YYYY-MM-DD")
@written_json_option
@pass_state
def worker_add(state: CliState, /, joined: str | None, as_json: bool, **values: str) -> None:
    """Add a PSM (--kelurahan) or a TKSK (--kecamatan); prints the worker ID."""
    info = workers.add_worker(state.actor(), joined_on=joined, **values)
    if as_json:
        print_json(worker_json(info, state.actor()))
    else:
        click.echo(info.id)


@worker_group.command("edit")
@click.argument("worker_id", type=int, metavar="ID")
@click.option("--name")
@click.option("--phone")
@click.option("--nik")
@click.option("--bank", help='Bank the incentive is paid to ("" clears).')
@click.option("--account", help='Account number ("" clears).')
@click.option("--holder", help='Account holder\'s name ("" clears).')
@written_json_option
@pass_state
def worker_edit(state: CliState, /, worker_id: int, as_json: bool, **values: str | None) -> None:
    """Correct a worker's name, phone, NIK or bank details."""
    info = workers.edit_worker(state.actor(), worker_id, **values)
    if as_json:
        print_json(worker_json(info, state.actor()))
    else:
        click.echo(f"{info.id}: {info.name}")


@worker_group.command("list")
@click.option("--kind", type=click.Choice(["psm", "tksk"]))
@click.option("--kecamatan")
@click.option("--kelurahan")
@click.option("--all", "include_inactive", is_flag=True, help="Include inactive workers.")
@click.option("--search")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def worker_list(
    state: CliState,
    kind: str | None,
    kecamatan: str | None,
    kelurahan: str | None,
    include_inactive: bool,
    search: str | None,
    as_json: bool,
) -> None:
    """List workers with their open caseload."""
    state.actor()
    rows = workers.list_workers(
        WorkerFilter(
            kind=kind,
            kecamatan=kecamatan,
            kelurahan=kelurahan,
            active=None if include_inactive else True,
            search=search,
        )
    )
    if as_json:
        print_json([worker_json(w, state.actor()) for w in rows])
        return
    out = table("ID", _("Name"), _("Kind"), _("Kelurahan"), _("Kecamatan"), _("Open"))
    for w in rows:
        out.add_row(
            str(w.id),
            cell(w.name),
            w.kind.upper(),
            cell(w.kelurahan_name or "-"),
            cell(w.kecamatan_name),
            str(w.open_cases),
        )
    console().print(out)


@worker_group.command("show")
@click.argument("worker_id", type=int, metavar="ID")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def worker_show(state: CliState, worker_id: int, as_json: bool) -> None:
    """Show one worker."""
    actor = state.actor()
    info = workers.get_worker(worker_id)
    bank = bank_details(actor, worker_id)
    if as_json:  # "bank" only once recorded, so `add --json` and `show --json` agree until then
        found = {"bank": bank.bank, "account": bank.account, "holder": bank.holder}
        print_json({**worker_json(info, actor), **({} if bank.empty else {"bank": found})})
        return
    out = table("", "")
    out.add_row(_("Name"), cell(info.name))
    out.add_row(_("Kind"), info.kind.upper())
    out.add_row(_("Kelurahan"), cell(info.kelurahan_name or "-"))
    out.add_row(_("Kecamatan"), cell(info.kecamatan_name))
    out.add_row(_("Phone"), cell(info.phone or "-"))
    out.add_row(_("Joined"), format_date(info.joined_on))
    out.add_row(_("Active"), _("yes") if info.active else _("no"))
    out.add_row(_("Open cases"), str(info.open_cases))
    if not bank.empty:
        out.add_row(_("Bank"), cell(bank.bank or "-"))
        out.add_row(_("Account number"), cell(bank.account or "-"))
        if not bank.masked:
            out.add_row(_("Account holder"), cell(bank.holder or "-"))
    console().print(out)


COMMANDS = [worker_group]
