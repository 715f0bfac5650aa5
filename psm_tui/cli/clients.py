"""``psm client …``, ``psm household …`` and ``psm programme …``: the person, the family of one
No. KK, and the social-protection programmes they are enrolled in."""

from __future__ import annotations

import click

from psm_tui.cli.context import CliState, pass_state
from psm_tui.cli.output import case_json, console, print_json, table, written_json_option
from psm_tui.cli.output import text as cell
from psm_tui.core import clients, households, programmes
from psm_tui.core.dto import ClientInfo, ClientRecord, EnrolmentInfo, Household
from psm_tui.core.labels import status_label
from psm_tui.core.masks import born_text
from psm_tui.core.programmes import ENROLMENT_STATUSES, enrolment_status_label
from psm_tui.core.validation import sex_label
from psm_tui.i18n import _, format_date


def enrolment_json(e: EnrolmentInfo) -> dict[str, object]:
    return {
        "id": e.id,
        "programme": e.programme.code,
        "programme_name": e.programme.name,
        "status": e.status,
        "from": e.start_on.isoformat() if e.start_on else None,
        "to": e.end_on.isoformat() if e.end_on else None,
        "source": e.source,
        "followup": e.followup_id,
    }


def client_json(c: ClientInfo) -> dict[str, object]:
    kel = c.kelurahan
    return {
        "id": c.id,
        "name": c.name,
        "nik": c.nik,
        "kk": c.kk,
        "sex": c.sex,
        "birth_date": c.birth_date.isoformat() if c.birth_date else None,
        "age": c.age,
        "address": c.address,
        "rt": c.rt,
        "rw": c.rw,
        "kelurahan": {"code": kel.code, "name": kel.name} if kel else None,
        "kecamatan": {"code": kel.kecamatan_code, "name": kel.kecamatan_name} if kel else None,
        "phone": c.phone,
        "dtsen": c.dtsen,
        "dtsen_desil": c.dtsen_desil,
        "dtsen_source": c.dtsen_source,
        "dtsen_on": c.dtsen_on.isoformat() if c.dtsen_on else None,
        "version": c.version,
    }


def client_record_json(record: ClientRecord) -> dict[str, object]:
    return {
        **client_json(record.client),
        "cases": [case_json(c, []) for c in record.cases],
        "hidden_cases": record.hidden_cases,
        "programmes": [enrolment_json(e) for e in record.enrolments],
    }


def household_json(found: Household) -> dict[str, object]:
    return {
        "kk": found.kk,
        "members": [
            {"hidden": True}
            if m.client is None
            else {
                **client_json(m.client),
                "cases": [case_json(c, []) for c in m.cases],
                "programmes": [enrolment_json(e) for e in m.enrolments],
                "hidden": False,
            }
            for m in found.members
        ],
    }


def _programmes_text(enrolments: list[EnrolmentInfo]) -> str:
    return ", ".join(f"{e.programme.code} ({enrolment_status_label(e.status)})" for e in enrolments)


def _print_record(record: ClientRecord) -> None:
    out = console()
    c = record.client
    facts = table("", "")
    facts.add_row(_("Client"), cell(f"{c.name} (ID {c.id}, v{c.version})"))
    facts.add_row("NIK / KK", cell(f"{c.nik or '-'} / {c.kk or '-'}"))
    facts.add_row(_("Sex, born"), f"{sex_label(c.sex)}, {born_text(c.birth_date, c.age)}")
    facts.add_row(_("Address"), cell(f"{c.address or '-'} RT {c.rt or '-'}/RW {c.rw or '-'}"))
    facts.add_row(_("Kelurahan"), c.kelurahan.label if c.kelurahan else "-")
    facts.add_row(_("Phone"), cell(c.phone or "-"))
    desil = f" (desil {c.dtsen_desil})" if c.dtsen_desil else ""
    since = f", {c.dtsen_source or '-'} {format_date(c.dtsen_on)}" if c.dtsen_source else ""
    facts.add_row("DTSEN", cell(c.dtsen.replace("_", " ") + desil + since))
    facts.add_row(_("Programmes"), cell(_programmes_text(record.enrolments) or "-"))
    out.print(facts)
    out.print()
    rows = table(_("Number"), _("Date"), _("Category"), _("Kelurahan"), _("Status"))
    for s in record.cases:
        rows.add_row(
            s.number,
            format_date(s.reported_at),
            cell(s.category.name),
            cell(s.kelurahan.name),
            status_label(s.status),
        )
    out.print(rows)
    if record.hidden_cases:
        click.echo(_("{n} more case(s) outside your scope").format(n=record.hidden_cases))


@click.group("client")
def client_group() -> None:
    """A client's record: show, correct, find and merge."""


@client_group.command("show")
@click.argument("client_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_state
def client_show(state: CliState, client_id: int, as_json: bool) -> None:
    """Show a client with every case you may see and their programmes."""
    record = clients.view_client(state.actor(), client_id)
    if as_json:
        print_json(client_record_json(record))
    else:
        _print_record(record)


@client_group.command("edit")
@click.argument("client_id", type=int)
@click.option(
    "--set",
    "pairs",
    multiple=True,
    metavar="FIELD=VALUE",
    help="A field to correct (name, nik, kk, sex, birth_date, address, rt, rw, kelurahan, "
    "phone, dtsen, dtsen_desil, dtsen_source, dtsen_on); repeat for more.",
)
@click.option("--version", "version", type=int, help="Refuse if the record changed since.")
@written_json_option
@pass_state
def client_edit(
    state: CliState, client_id: int, pairs: tuple[str, ...], version: int | None, as_json: bool
) -> None:
    """Correct a client's record; each changed field is audited."""
    changes: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.UsageError(_("Use FIELD=VALUE, not {pair}").format(pair=pair))
        changes[key.strip()] = value
    record = clients.edit_client(state.actor(), client_id, changes, expected_version=version)
    if as_json:
        print_json(client_record_json(record))
    else:
        click.echo(
            _("Client {id} is at version {version}").format(
                id=client_id, version=record.client.version
            )
        )


@client_group.command("search")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def client_search(state: CliState, text: str, as_json: bool) -> None:
    """Find clients by name, NIK or No. KK."""
    found = clients.search_clients(state.actor(), text)
    if as_json:
        print_json([client_json(c) for c in found])
        return
    out = table("ID", _("Client"), "NIK", "KK", _("Kelurahan"))
    for c in found:
        out.add_row(
            str(c.id),
            cell(c.name),
            c.nik or "-",
            c.kk or "-",
            cell(c.kelurahan.name if c.kelurahan else "-"),
        )
    console().print(out)


@client_group.command("merge")
@click.argument("keep_id", type=int)
@click.argument("drop_id", type=int)
@click.option(
    "--take",
    multiple=True,
    metavar="FIELD",
    help="A field to take from the second record (its blanks are filled anyway); repeatable.",
)
@written_json_option
@pass_state
def client_merge(
    state: CliState, keep_id: int, drop_id: int, take: tuple[str, ...], as_json: bool
) -> None:
    """Merge two records of one person into KEEP_ID, moving DROP_ID's cases."""
    result = clients.merge_clients(state.actor(), keep_id, drop_id, take=take)
    if as_json:
        print_json(client_record_json(result.client))
        return
    click.echo(
        _("Client {drop} merged into {keep}; cases moved: {cases}").format(
            drop=drop_id, keep=keep_id, cases=", ".join(result.moved_cases) or "-"
        )
    )


@click.group("household")
def household_group() -> None:
    """The people of one No. KK, their cases and programmes."""


@household_group.command("show")
@click.argument("kk")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def household_show(state: CliState, kk: str, as_json: bool) -> None:
    """Show the members of a No. KK with their cases and programmes."""
    found = households.view_household(state.actor(), kk)
    if as_json:
        print_json(household_json(found))
        return
    out = table("ID", _("Client"), _("Sex, born"), _("Cases"), _("Programmes"))
    for m in found.members:
        if m.client is None:
            out.add_row("-", _("(outside your scope)"), "", "", "")
            continue
        c = m.client
        out.add_row(
            str(c.id),
            cell(c.name),
            f"{sex_label(c.sex)}, {born_text(c.birth_date, c.age)}",
            ", ".join(f"{s.number} {status_label(s.status)}" for s in m.cases) or "-",
            cell(_programmes_text(m.enrolments) or "-"),
        )
    console().print(out)


@household_group.command("add")
@click.argument("kk")
@click.option("--name", required=True)
@click.option("--nik")
@click.option("--sex", metavar="L|P")
@click.option("--birth", metavar="YYYY-MM-DD")
@click.option("--phone")
@written_json_option
@pass_state
def household_add(
    state: CliState, /, kk: str, as_json: bool, birth: str | None, **values: str | None
) -> None:
    """Add a family member to a No. KK; prints the new client ID."""
    record = households.add_member(
        state.actor(),
        kk,
        name=str(values["name"]),
        nik=values.get("nik"),
        sex=values.get("sex"),
        birth_date=birth,
        phone=values.get("phone"),
    )
    if as_json:
        print_json(client_record_json(record))
    else:
        click.echo(record.client.id)


@click.group("programme")
def programme_group() -> None:
    """Social-protection programmes and enrolments."""


@programme_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def programme_list(state: CliState, as_json: bool) -> None:
    """List the programmes."""
    state.actor()
    found = programmes.all_programmes(active_only=False)
    if as_json:
        print_json([{"code": p.code, "name": p.name} for p in found])
        return
    out = table(_("Code"), _("Name"))
    for p in found:
        out.add_row(p.code, cell(p.name))
    console().print(out)


@programme_group.command("summary")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def programme_summary(state: CliState, as_json: bool) -> None:
    """Clients per programme and status; open cases whose client has no PBI-JK."""
    figures, uncovered = programmes.summary(state.actor())
    if as_json:
        print_json(
            {
                "programmes": [
                    {
                        "programme": f.programme.code,
                        "diusulkan": f.proposed,
                        "aktif": f.active,
                        "berhenti": f.ended,
                    }
                    for f in figures
                ],
                "open_cases_without_pbi_jk": uncovered,
            }
        )
        return
    out = table(_("Code"), _("proposed"), _("active"), _("ended"))
    for f in figures:
        out.add_row(f.programme.code, str(f.proposed), str(f.active), str(f.ended))
    console().print(out)
    click.echo(_("Open cases whose client has no PBI-JK: {n}").format(n=uncovered))


@programme_group.command("save")
@click.argument("code")
@click.argument("name")
@click.option("--inactive", is_flag=True, help="No longer offered; kept for past enrolments.")
@pass_state
def programme_save(state: CliState, code: str, name: str, inactive: bool) -> None:
    """Add a programme to the list or correct one (admins)."""
    ref = programmes.save_programme(state.actor(), code, name, active=not inactive)
    click.echo(ref.code)


@programme_group.command("enrol")
@click.argument("client_id", type=int)
@click.argument("programme")
@click.option("--status", type=click.Choice(ENROLMENT_STATUSES), default="aktif", show_default=True)
@click.option("--from", "start_on", metavar="YYYY-MM-DD")
@click.option("--to", "end_on", metavar="YYYY-MM-DD")
@click.option("--source", default="")
@click.option("--followup", "followup_id", type=int, help="The follow-up whose outcome this is.")
@written_json_option
@pass_state
def programme_enrol(
    state: CliState,
    /,
    client_id: int,
    programme: str,
    followup_id: int | None,
    as_json: bool,
    **values: str,
) -> None:
    """Record a client's enrolment in a programme; prints its ID."""
    actor = state.actor()
    if followup_id is not None:
        enrolment = programmes.enrol_from_followup(
            actor, followup_id, programme, status=values["status"]
        )
    else:
        enrolment = programmes.enrol(
            actor,
            client_id,
            programme,
            status=values["status"],
            start_on=values.get("start_on"),
            end_on=values.get("end_on"),
            source=values.get("source") or "",
        )
    if as_json:
        print_json(enrolment_json(enrolment))
    else:
        click.echo(enrolment.id)


COMMANDS = [client_group, household_group, programme_group]
