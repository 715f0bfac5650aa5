"""``psm followup …``: requests to OPD about a case."""

from __future__ import annotations

import click

from psm_tui.cli.context import CliState, pass_state
from psm_tui.cli.output import (
    console,
    followup_json,
    print_json,
    say_if_cut,
    table,
    written_json_option,
)
from psm_tui.cli.output import text as cell
from psm_tui.core import followups
from psm_tui.core.followups import FOLLOWUP_TRANSITIONS, FollowUpFilter
from psm_tui.core.labels import followup_status_label
from psm_tui.i18n import _, format_date


@click.group("followup")
def followup_group() -> None:
    """Follow-ups to partner agencies (OPD)."""


@followup_group.command("new")
@click.argument("number")
@click.option("--opd", required=True, metavar="CODE")
@click.option("--action", required=True, metavar="TEXT")
@click.option("--due", metavar="YYYY-MM-DD")
@written_json_option
@pass_state
def followup_new(
    state: CliState, number: str, opd: str, action: str, due: str | None, as_json: bool
) -> None:
    """Send a follow-up request to an OPD; prints its ID."""
    info = followups.create_followup(
        state.actor(),
        number,
        opd=opd,
        action=action,
        due=due,
        default_days=state.settings.followup_due_days,
    )
    if as_json:
        print_json(followup_json(info))
    else:
        click.echo(info.id)


@followup_group.command("update")
@click.argument("followup_id", type=int, metavar="ID")
@click.option("--status", required=True, type=click.Choice(list(FOLLOWUP_TRANSITIONS)))
@click.option("--response", metavar="TEXT")
@written_json_option
@pass_state
def followup_update(
    state: CliState, followup_id: int, status: str, response: str | None, as_json: bool
) -> None:
    """Record the OPD's answer: diterima, selesai, ditolak (with --response) or dibatalkan."""
    info = followups.update_followup(state.actor(), followup_id, status, response=response)
    if as_json:
        print_json(followup_json(info))
    else:
        click.echo(f"{info.id}: {followup_status_label(info.status)}")


@followup_group.command("list")
@click.option("--opd", metavar="CODE")
@click.option("--overdue", is_flag=True)
@click.option("--open", "open_only", is_flag=True)
@click.option("--case", "case_number", metavar="NUMBER")
@click.option("--limit", type=click.IntRange(1, 100_000), default=500, show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Every matching follow-up, no limit.")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def followup_list(
    state: CliState,
    opd: str | None,
    overdue: bool,
    open_only: bool,
    case_number: str | None,
    limit: int,
    show_all: bool,
    as_json: bool,
) -> None:
    """List follow-ups: open ones first, the overdue leading; then the closed."""
    actor = state.actor()
    filters = FollowUpFilter(opd=opd, overdue=overdue, open_only=open_only, case_number=case_number)
    rows = followups.list_followups(filters, limit=None if show_all else limit, actor=actor)
    if len(rows) == limit and not show_all:
        say_if_cut(len(rows), followups.count_followups(filters, actor))
    if as_json:
        print_json([followup_json(f) for f in rows])
        return
    out = table("ID", _("Case"), "OPD", _("Status"), _("Due"), _("Requested action"))
    for f in rows:
        flag = " !" if f.overdue else ""
        out.add_row(
            str(f.id),
            f.case_number,
            f.opd_name,
            followup_status_label(f.status) + flag,
            format_date(f.due_on),
            cell(f.action),
        )
    console().print(out)


COMMANDS = [followup_group]
