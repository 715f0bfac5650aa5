"""``psm user …``: staff logins and their roles."""

from __future__ import annotations

import click

from psm_tui.cli.context import CliState, pass_state
from psm_tui.cli.output import console, print_json, table
from psm_tui.cli.output import text as cell
from psm_tui.core import users
from psm_tui.i18n import _


@click.group("user")
def user_group() -> None:
    """Staff users and roles."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(users.ROLES))
@click.option("--kecamatan", metavar="KEC", help="Limit an operator to one kecamatan.")
@click.option("--full-name")
@pass_state
def user_add(
    state: CliState, name: str, role: str, kecamatan: str | None, full_name: str | None
) -> None:
    """Register a staff login (admin only)."""
    info = users.add_user(state.actor(), name, role, full_name=full_name, kecamatan=kecamatan)
    click.echo(_("{name} added as {role}").format(name=info.username, role=info.role))


@user_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def user_list(state: CliState, as_json: bool) -> None:
    """List staff users."""
    state.actor()
    rows = users.list_users()
    if as_json:
        print_json(
            [
                {
                    "username": u.username,
                    "full_name": u.full_name,
                    "role": u.role,
                    "kecamatan": u.kecamatan_code,
                    "kecamatan_name": u.kecamatan_label,
                    "active": u.active,
                }
                for u in rows
            ]
        )
        return
    out = table(_("User"), _("Name"), _("Role"), _("Kecamatan"))
    for u in rows:
        out.add_row(cell(u.username), cell(u.full_name), u.role, u.kecamatan_label or "-")
    console().print(out)


COMMANDS = [user_group]
