"""``psm case …``: register, list, show, assign, change status, add notes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from psm_tui.cli.context import CliState, pass_state
from psm_tui.cli.output import (
    case_detail_json,
    case_json,
    console,
    print_json,
    say_if_cut,
    table,
    written_json_option,
)
from psm_tui.cli.output import text as cell
from psm_tui.core import assignment, case_queries, cases, followups, privacy, sensitive
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import CaseDetail
from psm_tui.core.errors import ValidationError
from psm_tui.core.labels import (
    PRIORITIES,
    STATUSES,
    activity_label,
    followup_status_label,
    priority_label,
    source_label,
    status_label,
)
from psm_tui.core.masks import born_text
from psm_tui.core.programmes import find_programme
from psm_tui.core.reference import find_category, find_kecamatan, find_kelurahan
from psm_tui.core.validation import safe_display, sex_label
from psm_tui.i18n import _, format_date, format_datetime


@click.group("case")
def case_group() -> None:
    """Register and follow cases."""


@case_group.command("new")
@click.option("--name", required=True)
@click.option("--kelurahan", "kelurahan", required=True, metavar="KEL")
@click.option("--category", required=True, metavar="CAT")
@click.option("--nik")
@click.option("--kk")
@click.option("--sex", metavar="L|P")
@click.option("--birth", metavar="YYYY-MM-DD")
@click.option("--address", default="")
@click.option("--rt")
@click.option("--rw")
@click.option("--phone")
@click.option("--priority", metavar="|".join(PRIORITIES))
@click.option("--source", metavar="S")
@click.option("--description", default="")
@written_json_option
@pass_state
def case_new(state: CliState, /, as_json: bool, **values: Any) -> None:
    """Register a case; prints the new case number."""
    actor = state.actor()
    values["birth_date"] = values.pop("birth")
    result = cases.register_case(actor, **values)
    for hint in result.duplicates:
        line = (
            _("warning: {reason}").format(reason=hint.reason)
            if hint.hidden
            else _("warning: possible duplicate: {name} ({nik}), {kel}: {reason}").format(
                name=hint.name, nik=hint.nik or "-", kel=hint.kelurahan, reason=hint.reason
            )
        )
        click.echo(safe_display(line), err=True)
    if as_json:
        print_json(case_detail_json(result.case))
    else:
        click.echo(result.case.number)


def _filters(values: Mapping[str, Any]) -> CaseFilter:
    """The case filters of the options given (click hands them over untyped)."""
    status = values.get("status")
    if status and status not in STATUSES:
        raise ValidationError(_("Unknown status {status}").format(status=status), "status")
    return CaseFilter(
        status=(str(status),) if status else (),
        kecamatan=find_kecamatan(str(values["kecamatan"])).code
        if values.get("kecamatan")
        else None,
        kelurahan=find_kelurahan(str(values["kelurahan"])).code
        if values.get("kelurahan")
        else None,
        category=find_category(str(values["category"])).code if values.get("category") else None,
        priority=cases.choice(values.get("priority"), PRIORITIES, "priority", "") or None,
        worker_id=values.get("worker"),
        unassigned=bool(values.get("unassigned")),
        overdue=bool(values.get("overdue")),
        search=values.get("search"),
        without_programme=find_programme(str(values["without_programme"])).code
        if values.get("without_programme")
        else None,
    )


@case_group.command("list")
@click.option("--status")
@click.option("--kecamatan")
@click.option("--kelurahan")
@click.option("--category")
@click.option("--priority")
@click.option("--worker", type=int)
@click.option("--unassigned", is_flag=True)
@click.option("--overdue", is_flag=True)
@click.option("--search")
@click.option(
    "--without-programme",
    metavar="CODE",
    help="Only cases whose client is not active in this programme (e.g. PBI-JK).",
)
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Every matching case, no limit.")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def case_list(state: CliState, /, limit: int, show_all: bool, as_json: bool, **values: Any) -> None:
    """List cases, newest first."""
    actor = state.actor()
    filters = _filters(values)
    rows = case_queries.list_cases(actor, filters, limit=None if show_all else limit)
    if len(rows) == limit and not show_all:
        say_if_cut(len(rows), case_queries.count_cases(filters, actor))
    if as_json:
        by_case = followups.followups_by_case([r.id for r in rows])
        print_json([case_json(r, by_case[r.id]) for r in rows])
        return
    out = table(_("Number"), _("Date"), _("Client"), _("Kelurahan"), _("Status"), _("PSM"))
    for r in rows:
        out.add_row(
            r.number,
            format_date(r.reported_at),
            cell(r.client_name),
            cell(r.kelurahan.name),
            status_label(r.status),
            cell(r.worker.name if r.worker else "-"),
        )
    console().print(out)


def _print_detail(detail: CaseDetail) -> None:
    out = console()
    s, c = detail.summary, detail.client
    facts = table("", "")
    facts.add_row(_("Case"), f"{s.number} (v{s.version})")
    facts.add_row(_("Status"), status_label(s.status))
    facts.add_row(_("Priority"), priority_label(s.priority))
    facts.add_row(_("Category"), cell(f"{s.category.code}. {s.category.name}"))
    facts.add_row(_("Kelurahan"), s.kelurahan.label)
    facts.add_row(_("Client"), cell(f"{c.name} ({c.nik or '-'})"))
    facts.add_row(_("Sex, born"), f"{sex_label(c.sex)}, {born_text(c.birth_date, c.age)}")
    facts.add_row(_("Address"), cell(f"{c.address} RT {c.rt or '-'}/RW {c.rw or '-'}"))
    facts.add_row(_("PSM"), cell(s.worker.name if s.worker else "-"))
    facts.add_row(_("Source"), source_label(detail.source))
    facts.add_row(_("Reported"), format_datetime(s.reported_at))
    facts.add_row(_("Description"), cell(detail.description))
    if detail.outcome:
        facts.add_row(_("Outcome"), cell(detail.outcome))
    out.print(facts)
    if detail.followups:
        out.print()
        fu = table("ID", "OPD", _("Status"), _("Due"), _("Requested action"))
        for f in detail.followups:
            late = " !" if f.overdue else ""
            fu.add_row(
                str(f.id),
                f.opd_name,
                followup_status_label(f.status) + late,
                format_date(f.due_on),
                cell(f.action),
            )
        out.print(fu)
    out.print()
    timeline = table(_("Time"), _("Kind"), _("By"), _("Text"))
    for a in detail.activities:
        timeline.add_row(
            format_datetime(a.at), activity_label(a.kind), cell(a.author), cell(a.text)
        )
    out.print(timeline)


@case_group.command("show")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--emergency",
    metavar="REASON",
    help="Akses darurat: open a case outside your kecamatan, for this reason (audited).",
)
@pass_state
def case_show(state: CliState, number: str, as_json: bool, emergency: str | None) -> None:
    """Show one case with its timeline and follow-ups."""
    actor = state.actor()
    if emergency is not None:
        detail = privacy.view_case_emergency(actor, number, emergency)
    else:
        detail = privacy.view_case(actor, number)
    if as_json:
        print_json(case_detail_json(detail))
    else:
        _print_detail(detail)


@case_group.command("print")
@click.argument("number")
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="PDF to write ('-': standard output). Over SSH: standard output, or a plain name "
    "for your outbox.",
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@pass_state
def case_print(state: CliState, number: str, output: str | None, force: bool) -> None:
    """Write a numbered case summary (ringkasan kasus) as PDF, for a supervisor."""
    from psm_tui.cli.letters import make_document  # fpdf2 only when a document is made

    make_document(
        state, "summary", f"ringkasan-{number.strip()}.pdf", output, force, case_number=number
    )


@case_group.command("assign")
@click.argument("number")
@click.option("--worker", type=int, help="Worker ID.")
@click.option("--auto", is_flag=True, help="The first candidate of the case's kelurahan.")
@click.option("--reason", default="")
@click.option("--expect-version", type=int, help="Refuse if the case changed since this version.")
@written_json_option
@pass_state
def case_assign(
    state: CliState,
    number: str,
    worker: int | None,
    auto: bool,
    reason: str,
    expect_version: int | None,
    as_json: bool,
) -> None:
    """Assign a case to a PSM (or TKSK)."""
    if (worker is None) == (not auto):
        raise click.UsageError(_("Give exactly one of --worker ID or --auto"))
    result = assignment.assign_case(
        state.actor(),
        number,
        worker_id=worker,
        auto=auto,
        reason=reason,
        expected_version=expect_version,
    )
    if as_json:
        print_json(case_detail_json(result.case))
        return
    click.echo(
        _("{number} -> {name} (#{id}): {reason}").format(
            number=number, name=result.worker.name, id=result.worker.id, reason=result.reason
        )
    )


@case_group.command("status")
@click.argument("number")
@click.argument("status", type=click.Choice(STATUSES))
@click.option("--outcome")
@click.option("--reason")
@click.option("--expect-version", type=int, help="Refuse if the case changed since this version.")
@written_json_option
@pass_state
def case_status(
    state: CliState,
    number: str,
    status: str,
    outcome: str | None,
    reason: str | None,
    expect_version: int | None,
    as_json: bool,
) -> None:
    """Change a case's status (selesai needs --outcome; reopening needs --reason)."""
    detail = cases.change_status(
        state.actor(),
        number,
        status,
        outcome=outcome,
        reason=reason,
        expected_version=expect_version,
    )
    if as_json:
        print_json(case_detail_json(detail))
    else:
        click.echo(f"{detail.number}: {status_label(detail.summary.status)}")


@case_group.command("priority")
@click.argument("number")
@click.argument("priority", type=click.Choice(PRIORITIES))
@click.option("--expect-version", type=int)
@written_json_option
@pass_state
def case_priority(
    state: CliState, number: str, priority: str, expect_version: int | None, as_json: bool
) -> None:
    """Set a case's priority."""
    detail = cases.set_priority(state.actor(), number, priority, expected_version=expect_version)
    if as_json:
        print_json(case_detail_json(detail))
    else:
        click.echo(f"{detail.number}: {priority_label(detail.summary.priority)}")


@case_group.command("category")
@click.argument("number")
@click.argument("category")
@click.option("--expect-version", type=int)
@written_json_option
@pass_state
def case_category(
    state: CliState, number: str, category: str, expect_version: int | None, as_json: bool
) -> None:
    """Set a case's PPKS category."""
    detail = cases.set_category(state.actor(), number, category, expected_version=expect_version)
    if as_json:
        print_json(case_detail_json(detail))
    else:
        click.echo(f"{detail.number}: {detail.summary.category.name}")


@case_group.command("sensitive")
@click.argument("number")
@click.argument("state_word", metavar="on|off", type=click.Choice(["on", "off"]))
@pass_state
def case_sensitive(state: CliState, number: str, state_word: str) -> None:
    """Mark a case sensitive (kasus terbatas) or not; supervisors, audited."""
    on = state_word == "on"
    sensitive.set_sensitive(state.actor(), number, on)
    message = _("{number}: restricted case") if on else _("{number}: not restricted")
    click.echo(message.format(number=number.strip()))


@case_group.command("restrict")
@click.argument("number")
@click.option("--add", "add", multiple=True, metavar="USER", help="Name a user on the case.")
@click.option("--remove", "remove", multiple=True, metavar="USER", help="Remove a named user.")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def case_restrict(
    state: CliState, number: str, add: tuple[str, ...], remove: tuple[str, ...], as_json: bool
) -> None:
    """Name the users who read a sensitive case in full; supervisors, audited."""
    names = sensitive.restrict(state.actor(), number, add=add, remove=remove)
    if as_json:
        print_json({"number": number.strip(), "named": names})
    else:
        click.echo(f"{number.strip()}: {', '.join(names) or '-'}")


@case_group.command("note")
@click.argument("number")
@click.argument("text")
@click.option("--kind", type=click.Choice(["catatan", "kunjungan", "telepon"]), default="catatan")
@written_json_option
@pass_state
def case_note(state: CliState, number: str, text: str, kind: str, as_json: bool) -> None:
    """Add a note, home visit or call to a case's timeline."""
    detail = cases.add_note(state.actor(), number, text, kind)
    if as_json:
        print_json(case_detail_json(detail))
        return
    click.echo(_("{number}: {kind} added").format(number=number, kind=activity_label(kind)))


@case_group.command("candidates")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def case_candidates(state: CliState, number: str, as_json: bool) -> None:
    """Who could take this case, in the order auto-assignment uses."""
    state.actor()
    options = assignment.candidates(number)
    if as_json:
        print_json(
            [
                {
                    "worker_id": c.worker.id,
                    "name": c.worker.name,
                    "kind": c.worker.kind,
                    "tier": c.tier,
                    "open_cases": c.worker.open_cases,
                    "reason": c.reason,
                }
                for c in options
            ]
        )
        return
    out = table("ID", _("Name"), _("Open"), _("Why"))
    for c in options:
        out.add_row(str(c.worker.id), cell(c.worker.name), str(c.worker.open_cases), cell(c.reason))
    console().print(out)


COMMANDS = [case_group]
