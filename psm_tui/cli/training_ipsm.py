"""``psm training …`` and ``psm ipsm …``: training records and the IPSM board.

Registered through :mod:`psm_tui.cli.roster` (its ``COMMANDS``).
"""

from __future__ import annotations

import click

from psm_tui.cli.context import CliState, pass_state
from psm_tui.cli.output import console, print_json, table, worker_json
from psm_tui.cli.output import text as cell
from psm_tui.core import ipsm, training
from psm_tui.core.errors import ValidationError
from psm_tui.core.training import TrainingInfo
from psm_tui.i18n import _, format_date, ngettext


def parse_ids(values: tuple[str, ...] | str | None, field: str) -> list[int]:
    """``--to 3 --to 4`` or ``--workers 1,2,3``: worker IDs as integers."""
    if not values:
        return []
    parts = [values] if isinstance(values, str) else list(values)
    ids: list[int] = []
    for part in parts:
        for piece in part.replace(" ", ",").split(","):
            if not piece:
                continue
            if not piece.isdigit():
                raise ValidationError(_("{value} is not a worker ID").format(value=piece), field)
            ids.append(int(piece))
    return ids


# --- training -----------------------------------------------------------------------------


@click.group("training")
def training_group() -> None:
    """Training records (pelatihan)."""


def training_json(t: TrainingInfo) -> dict[str, object]:
    return {
        "id": t.id,
        "date": t.held_on.isoformat(),
        "topic": t.topic,
        "organiser": t.organiser,
        "hours": t.hours,
        "attendees": t.attendees,
    }


def print_trainings(rows: list[TrainingInfo]) -> None:
    out = table("ID", _("Date"), _("Hours"), _("Workers"), _("Organiser"), _("Topic"))
    for t in rows:
        out.add_row(
            str(t.id),
            format_date(t.held_on),
            f"{t.hours:g}",
            str(t.attendees),
            cell(t.organiser),
            cell(t.topic),
        )
    console().print(out)


@training_group.command("add")
@click.option("--date", "held_on", required=True, metavar="YYYY-MM-DD")
@click.option("--topic", required=True)
@click.option("--organiser", required=True)
@click.option("--hours", required=True)
@click.option("--workers", "worker_ids", metavar="ID,ID,…", help="Worker IDs, comma-separated.")
@click.option("--kecamatan", metavar="KEC", help="Every active worker of the kecamatan.")
@pass_state
def training_add(
    state: CliState,
    held_on: str,
    topic: str,
    organiser: str,
    hours: str,
    worker_ids: str | None,
    kecamatan: str | None,
) -> None:
    """Record a training session for many workers at once; prints its ID."""
    detail = training.record_training(
        state.actor(),
        held_on=held_on,
        topic=topic,
        organiser=organiser,
        hours=hours,
        worker_ids=parse_ids(worker_ids, "workers"),
        kecamatan=kecamatan,
    )
    click.echo(detail.training.id)
    count = detail.training.attendees
    click.echo(
        ngettext("{count} worker recorded", "{count} workers recorded", count).format(count=count),
        err=True,
    )


@training_group.command("list")
@click.option("--untrained", is_flag=True, help="Active workers never trained.")
@click.option("--kecamatan", metavar="KEC")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def training_list(state: CliState, untrained: bool, kecamatan: str | None, as_json: bool) -> None:
    """List training sessions, or (--untrained) the workers who never had one."""
    actor = state.actor()
    if untrained:
        rows = training.untrained_workers(kecamatan)
        if as_json:
            print_json([worker_json(w, actor) for w in rows])
            return
        out = table("ID", _("Name"), _("Kind"), _("Kelurahan"), _("Kecamatan"), _("Joined"))
        for w in rows:
            out.add_row(
                str(w.id),
                cell(w.name),
                w.kind.upper(),
                cell(w.kelurahan_name or "-"),
                cell(w.kecamatan_name),
                format_date(w.joined_on),
            )
        console().print(out)
        return
    sessions = training.list_trainings(kecamatan)
    if as_json:
        print_json([training_json(t) for t in sessions])
        return
    print_trainings(sessions)


@training_group.command("show")
@click.argument("training_id", type=int, metavar="ID")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def training_show(state: CliState, training_id: int, as_json: bool) -> None:
    """One training session and who attended."""
    actor = state.actor()
    detail = training.training_detail(training_id)
    if as_json:
        print_json(
            {
                **training_json(detail.training),
                "workers": [worker_json(w, actor) for w in detail.workers],
            }
        )
        return
    print_trainings([detail.training])
    out = table("ID", _("Name"), _("Kelurahan"), _("Kecamatan"))
    for w in detail.workers:
        out.add_row(str(w.id), cell(w.name), cell(w.kelurahan_name or "-"), cell(w.kecamatan_name))
    console().print(out)


# --- IPSM ---------------------------------------------------------------------------------


@click.group("ipsm")
def ipsm_group() -> None:
    """IPSM positions and board."""


def position_json(p: ipsm.PositionInfo) -> dict[str, object]:
    return {
        "id": p.id,
        "worker_id": p.worker_id,
        "worker": p.worker_name,
        "position": p.position,
        "level": p.level,
        "unit_code": p.unit_code,
        "unit": p.unit_name,
        "start": p.start_on.isoformat(),
        "end": p.end_on.isoformat() if p.end_on else None,
    }


def print_positions(rows: list[ipsm.PositionInfo]) -> None:
    out = table("ID", _("Unit"), _("Position"), _("Name"), _("Term"))
    for p in rows:
        term = f"{format_date(p.start_on)} – {format_date(p.end_on) if p.end_on else '…'}"
        out.add_row(
            str(p.id),
            cell(p.unit_name),
            ipsm.position_label(p.position),
            cell(f"{p.worker_name} ({p.worker_id})"),
            term,
        )
    console().print(out)


@ipsm_group.command("set")
@click.argument("worker_id", type=int, metavar="WORKER_ID")
@click.option("--position", required=True, metavar="|".join(ipsm.POSITIONS))
@click.option("--level", required=True, metavar="city|kecamatan|kelurahan")
@click.option("--unit", metavar="KEC|KEL", help="Default: the worker's own.")
@click.option("--from", "start_on", required=True, metavar="YYYY-MM-DD")
@click.option("--to", "end_on", metavar="YYYY-MM-DD", help="Last day of the term.")
@pass_state
def ipsm_set(
    state: CliState,
    worker_id: int,
    position: str,
    level: str,
    unit: str | None,
    start_on: str,
    end_on: str | None,
) -> None:
    """Give a PSM an IPSM position for a term; prints the position ID."""
    info = ipsm.set_position(
        state.actor(),
        worker_id,
        position=position,
        level=level,
        unit=unit,
        start_on=start_on,
        end_on=end_on,
    )
    click.echo(info.id)


@ipsm_group.command("end")
@click.argument("position_id", type=int, metavar="ID")
@click.option("--on", "end_on", metavar="YYYY-MM-DD", help="Last day (default today).")
@pass_state
def ipsm_end(state: CliState, position_id: int, end_on: str | None) -> None:
    """End an IPSM term."""
    info = ipsm.end_position(state.actor(), position_id, end_on)
    click.echo(
        _("{name}: {position} of {unit} until {date}").format(
            name=info.worker_name,
            position=ipsm.position_label(info.position),
            unit=info.unit_name,
            date=format_date(info.end_on),
        )
    )


@ipsm_group.command("board")
@click.option("--at", metavar="YYYY-MM-DD", help="The board on this day (default today).")
@click.option("--kecamatan", metavar="KEC")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def ipsm_board(state: CliState, at: str | None, kecamatan: str | None, as_json: bool) -> None:
    """Who holds which IPSM position."""
    state.actor()
    rows = ipsm.board(at, kecamatan)
    if as_json:
        print_json([position_json(p) for p in rows])
        return
    print_positions(rows)
