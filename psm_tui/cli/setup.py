"""``psm init``, ``psm migrate`` and ``psm demo``."""

from __future__ import annotations

from dataclasses import replace

import click

from psm_tui.cli.context import CliState, pass_state
from psm_tui.config import demo_database_path
from psm_tui.core import session, setup
from psm_tui.i18n import _


@click.command("init")
@click.option("--full-name", help="Your full name, if you become the first admin.")
@pass_state
def init(state: CliState, full_name: str | None) -> None:
    """Create or upgrade the database and load reference data (idempotent; admin only, except
    the first run on an empty database, which makes you its first admin)."""
    state.open(check=False)
    setup.authorise_setup(state.as_name, state.settings.service_account)
    result = setup.initialise(full_name)
    for name in result.applied:
        click.echo(_("applied migration {name}").format(name=name))
    counts = result.counts
    click.echo(
        _("{kec} kecamatan, {kel} kelurahan, {cat} PPKS categories, {opd} OPD").format(
            kec=counts["kecamatan"],
            kel=counts["kelurahan"],
            cat=counts["categories"],
            opd=counts["opd"],
        )
    )
    if result.admin_created:
        click.echo(_("{name} is the first admin").format(name=result.admin_created))
    click.echo(
        _("Database ready: {path}").format(
            path=session.describe(state.settings.database_or_default)
        )
    )


@click.command("migrate")
@click.option("--status", "show_status", is_flag=True, help="Only show applied and pending.")
@pass_state
def migrate(state: CliState, show_status: bool) -> None:
    """Apply pending migrations, or show them (admin only, once the database has users)."""
    state.open(check=False)
    setup.authorise_setup(state.as_name, state.settings.service_account)
    if show_status:
        for name, done in session.migration_status():
            mark = _("applied") if done else _("pending")
            click.echo(f"{name}\t{mark}")
        return
    applied = session.migrate()
    click.echo(_("{count} migration(s) applied").format(count=len(applied)))


@click.command("demo")
@click.option(
    "--cases", "case_count", type=click.IntRange(0, 2_000_000), default=5000, show_default=True
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--no-open", is_flag=True, help="Only fill the database; do not open the app.")
@click.pass_context
def demo_command(ctx: click.Context, case_count: int, seed: int, no_open: bool) -> None:
    """Fill a new, empty database with realistic demo data, then open it."""
    from psm_tui.ops import demo  # faker takes half a second to import: only here

    state: CliState = ctx.obj
    # Only a --db on this command line chooses the file: a database from a config file or
    # PSM_DATABASE is the office's real one, which the demo never touches.
    chosen = ctx.find_root().params.get("database")
    state.settings = replace(state.settings, database=chosen or str(demo_database_path()))
    state.open(check=False)
    setup.authorise_setup(state.as_name, state.settings.service_account)
    setup.initialise()
    if setup.get_meta("demo_seed") is not None:
        click.echo(
            _("{path} already holds demo data; opening it").format(
                path=session.describe(state.settings.database)
            )
        )
    else:
        if setup.holds_cases():
            raise click.ClickException(
                _(
                    "{path} holds real cases; demo data goes only into a new database (use --db)"
                ).format(path=session.describe(state.settings.database))
            )
        with click.progressbar(length=100, label=_("Generating demo data"), file=None) as bar:

            def progress(done: float) -> None:
                bar.update(int(done * 100) - bar.pos)

            counts = demo.generate(seed=seed, cases=case_count, progress=progress)
        click.echo(
            _("{psm} PSM, {tksk} TKSK, {cases} cases, {followups} follow-ups").format(**counts)
        )
    if not no_open:
        from psm_tui.cli.tui import open_tui

        open_tui(state)


COMMANDS = [init, migrate, demo_command]
