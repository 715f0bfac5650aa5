"""``psm worker profile|move|deactivate`` (added to the group of :mod:`psm_tui.cli.workers`),
``psm coverage``; also registers ``psm training`` and ``psm ipsm`` from
:mod:`psm_tui.cli.training_ipsm`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from psm_tui.cli.context import CliState, pass_state
from psm_tui.cli.output import console, dto_json, print_json, table, worker_json
from psm_tui.cli.output import text as cell
from psm_tui.cli.training_ipsm import (
    ipsm_group,
    parse_ids,
    position_json,
    print_positions,
    print_trainings,
    training_group,
    training_json,
)
from psm_tui.cli.workers import worker_group
from psm_tui.core import coverage, roster
from psm_tui.core.errors import ValidationError
from psm_tui.core.labels import priority_label, status_label
from psm_tui.core.roster import HandoverItem, RosterChange, WorkerProfile
from psm_tui.i18n import _, format_date, format_datetime, format_tenths, ngettext


def handover_json(items: list[HandoverItem]) -> list[dict[str, object]]:
    return [
        {
            "case": i.case_number,
            "worker_id": i.worker_id,
            "worker": i.worker_name,
            "basis": i.basis,
            "reason": i.reason,
        }
        for i in items
    ]


def _print_change(state: CliState, change: RosterChange, headline: str, as_json: bool) -> None:
    if as_json:
        document = worker_json(change.worker, state.actor())
        print_json(
            {
                "worker": document,
                "handed_over": handover_json(change.handed_over),
                "ipsm_terms_ended": change.positions_ended,
            }
        )
        return
    click.echo(headline)
    if change.handed_over:
        out = table(_("Case"), _("New worker"), _("Why"))
        for item in change.handed_over:
            out.add_row(
                item.case_number, cell(f"{item.worker_name} ({item.worker_id})"), cell(item.basis)
            )
        console().print(out)
    count = len(change.handed_over)
    click.echo(
        ngettext("{count} open case handed over", "{count} open cases handed over", count).format(
            count=count
        )
    )


F = TypeVar("F", bound=Callable[..., Any])


def handover_options(function: F) -> F:
    """``--handover auto`` or ``--to ID`` (repeatable, or comma-separated)."""
    function = click.option(
        "--to",
        "to",
        multiple=True,
        metavar="ID",
        help="Hand open cases to these colleagues (by load).",
    )(function)
    return click.option(
        "--handover",
        type=click.Choice(["auto"]),
        help="Hand open cases over automatically by load.",
    )(function)


def handover_choice(handover: str | None, to: tuple[str, ...]) -> tuple[bool, list[int]]:
    ids = parse_ids(to, "to")
    if handover and ids:
        raise ValidationError(_("Give either --handover auto or --to, not both"), "to")
    return handover == "auto", ids


@worker_group.command("profile")
@click.argument("worker_id", type=int, metavar="ID")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def worker_profile(state: CliState, worker_id: int, as_json: bool) -> None:
    """A worker's profile: caseload, last activity, incentive months, training, IPSM."""
    data = roster.profile(state.actor(), worker_id)
    if as_json:
        print_json(profile_json(state, data))
        return
    _print_profile(data)


def profile_json(state: CliState, data: WorkerProfile) -> dict[str, object]:
    document = worker_json(data.worker, state.actor())
    document.update(
        inactive_on=data.inactive_on.isoformat() if data.inactive_on else None,
        open_case_list=[
            {
                "number": c.number,
                "status": c.status,
                "priority": c.priority,
                "kelurahan": {"code": c.kelurahan.code, "name": c.kelurahan.name},
                "client": c.client_name,
                "reported_at": c.reported_at.isoformat(),
            }
            for c in data.open_cases
        ],
        past_cases=data.past_case_count,
        past_case_list=[dto_json(p) for p in data.past_cases],
        last_activity=data.last_activity.isoformat() if data.last_activity else None,
        incentive_months=len(data.active_months),
        active_months=[m.strftime("%Y-%m") for m in data.active_months],
        trainings=[training_json(t) for t in data.trainings],
        ipsm=[position_json(p) for p in data.positions],
    )
    return document


def _print_profile(data: WorkerProfile) -> None:
    w = data.worker
    out = table("", "")
    out.add_row(_("Name"), cell(f"{w.name} ({w.id})"))
    out.add_row(_("Kind"), w.kind.upper())
    if w.kelurahan_name:
        out.add_row(_("Kelurahan"), cell(f"Kel. {w.kelurahan_name}, Kec. {w.kecamatan_name}"))
    else:
        out.add_row(_("Kecamatan"), cell(w.kecamatan_name))
    out.add_row(_("Phone"), cell(w.phone or "-"))
    out.add_row(_("Joined"), format_date(w.joined_on))
    if w.active:
        out.add_row(_("Active"), _("yes"))
    else:
        out.add_row(
            _("Active"),
            cell(
                _("no, since {date}: {reason}").format(
                    date=format_date(data.inactive_on), reason=w.inactive_reason or "-"
                )
            ),
        )
    out.add_row(_("Open cases"), str(len(data.open_cases)))
    out.add_row(_("Past cases"), str(data.past_case_count))
    out.add_row(_("Last activity"), format_datetime(data.last_activity))
    out.add_row(_("Incentive months"), str(len(data.active_months)))
    out.add_row(_("Trainings"), str(len(data.trainings)))
    console().print(out)
    if data.open_cases:
        cases = table(_("Case"), _("Status"), _("Priority"), _("Client"))
        for c in data.open_cases:
            cases.add_row(
                c.number, status_label(c.status), priority_label(c.priority), cell(c.client_name)
            )
        console().print(cases)
    if data.trainings:
        print_trainings(data.trainings)
    if data.positions:
        print_positions(data.positions)


@worker_group.command("move")
@click.argument("worker_id", type=int, metavar="ID")
@click.option("--kelurahan", required=True, metavar="KEL")
@click.option("--kecamatan", metavar="KEC", help="Disambiguates the kelurahan name.")
@handover_options
@click.option("--json", "as_json", is_flag=True)
@pass_state
def worker_move(
    state: CliState,
    worker_id: int,
    kelurahan: str,
    kecamatan: str | None,
    handover: str | None,
    to: tuple[str, ...],
    as_json: bool,
) -> None:
    """Move a PSM to another kelurahan, handing their open cases over in the same step."""
    auto, ids = handover_choice(handover, to)
    change = roster.move_worker(
        state.actor(), worker_id, kelurahan, auto=auto, to=ids, kecamatan=kecamatan
    )
    w = change.worker
    _print_change(
        state,
        change,
        _("{name} now serves Kel. {kel}, Kec. {kec}").format(
            name=w.name, kel=w.kelurahan_name, kec=w.kecamatan_name
        ),
        as_json,
    )


@worker_group.command("deactivate")
@click.argument("worker_id", type=int, metavar="ID")
@click.option("--reason", required=True)
@click.option(
    "--handover", type=click.Choice(["auto"]), help="Hand open cases over automatically by load."
)
@click.option(
    "--to", "to", multiple=True, metavar="ID", help="Hand open cases to these colleagues (by load)."
)
@pass_state
def worker_deactivate(
    state: CliState, worker_id: int, reason: str, handover: str | None, to: tuple[str, ...]
) -> None:
    """Deactivate a worker (refused while they hold open cases, unless handed over); their
    IPSM positions end the same day."""
    auto, ids = handover_choice(handover, to)
    change = roster.deactivate_worker(state.actor(), worker_id, reason, auto=auto, to=ids)
    _print_change(
        state, change, _("{name} is now inactive").format(name=change.worker.name), as_json=False
    )


# --- coverage -----------------------------------------------------------------------------


@click.command("coverage")
@click.option("--kecamatan", metavar="KEC")
@click.option("--uncovered", is_flag=True, help="Only kelurahan with no active PSM.")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def coverage_command(
    state: CliState, kecamatan: str | None, uncovered: bool, as_json: bool
) -> None:
    """Per kelurahan: active PSM, open cases, cases per PSM, PSM idle for 60 days."""
    state.actor()
    rows = [r for r in coverage.coverage(kecamatan) if r.uncovered or not uncovered]
    if as_json:
        print_json(
            [
                {
                    "kelurahan": {"code": r.kelurahan.code, "name": r.kelurahan.name},
                    "kecamatan": {
                        "code": r.kelurahan.kecamatan_code,
                        "name": r.kelurahan.kecamatan_name,
                    },
                    "active_psm": r.active_psm,
                    "open_cases": r.open_cases,
                    "cases_per_psm": None if r.cases_per_psm is None else round(r.cases_per_psm, 2),
                    "idle_psm": r.idle_psm,
                    "uncovered": r.uncovered,
                }
                for r in rows
            ]
        )
        return
    out = table(
        _("Kelurahan"),
        _("Kecamatan"),
        "PSM",
        _("Open"),
        _("Per PSM"),
        _("Idle {days}d").format(days=coverage.IDLE_DAYS),
        "",
    )
    for r in rows:
        per = "-" if r.cases_per_psm is None else format_tenths(r.cases_per_psm)
        flag = _("NO ACTIVE PSM") if r.uncovered else ""
        out.add_row(
            cell(r.kelurahan.name),
            cell(r.kelurahan.kecamatan_name),
            str(r.active_psm),
            str(r.open_cases),
            per,
            str(r.idle_psm),
            flag,
        )
    console().print(out)
    missing = sum(1 for r in rows if r.uncovered)
    click.echo(_("{count} kelurahan without an active PSM").format(count=missing))


COMMANDS = [training_group, ipsm_group, coverage_command]
