"""``psm backup|restore|check``, ``psm audit [verify]`` and ``psm ssh authorize|revoke|list``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from psm_tui.cli.context import CliState, pass_state
from psm_tui.cli.output import console, dto_json, print_json, table
from psm_tui.cli.output import text as cell
from psm_tui.core import audit_verify, privacy, session
from psm_tui.core import emergency as emergency_access
from psm_tui.core.audit_chain import ChainHead
from psm_tui.core.errors import NotFoundError, UnsafePathError
from psm_tui.core.files.access import backup_source, backup_target, read_key_file
from psm_tui.core.files.boundary import backups_folder
from psm_tui.core.validation import parse_date
from psm_tui.i18n import _, format_datetime
from psm_tui.ops import health, maintenance, ssh_audit, ssh_keys


@click.command("backup")
@click.argument("file", required=False)
@click.option("--force", is_flag=True, help="Replace FILE if it is an older backup.")
@pass_state
def backup(state: CliState, file: str | None, force: bool) -> None:
    """Copy the database to FILE (or into the folder FILE; by default into the backups folder)
    while others keep working."""
    actor = state.actor()
    target = backup_target(state.boundary(), file, maintenance.backup_name(), force=force)
    result = maintenance.backup_database(
        actor, target, group_shared=state.settings.service_group_mode
    )
    click.echo(
        _("Backup written: {path} ({cases} cases, {size} KiB, mode {mode:04o})").format(
            path=result.path, cases=result.cases, size=result.size // 1024, mode=result.mode
        )
    )
    if result.audit_head is not None:
        click.echo(_("Audit log head: {head}").format(head=result.audit_head))


@click.command("restore")
@click.argument("file")
@pass_state
def restore(state: CliState, file: str) -> None:
    """Replace the database with the backup FILE (nobody else may be connected)."""
    state.open(check=False)
    actor = maintenance.restoring_actor(state.as_name, state.settings.service_account)
    # Over SSH (--as) only a name in the backups folder; the actor may be unknown here (a
    # database that cannot be read at all), so the rule follows --as itself.
    source = backup_source(backups_folder(state.settings), state.as_name is not None, file)
    result = maintenance.restore_database(
        actor, source, group_shared=state.settings.service_group_mode
    )
    click.echo(_("Restored {path}: {cases} cases").format(path=result.source, cases=result.cases))
    if result.kept:
        click.echo(_("The replaced database is kept as {path}").format(path=result.kept))
    if result.pending:
        click.echo(
            _("The backup is from an older version: run psm migrate ({names})").format(
                names=", ".join(result.pending)
            )
        )


def _open_for_check(state: CliState) -> None:
    """Open without creating a file, and even when its modes are wrong (check reports them)."""
    location = state.settings.database_or_default
    is_file, target = session.is_file_location(location)
    if is_file and not Path(target).is_file():
        raise NotFoundError(
            _("No database at {path}; create it with: psm init").format(path=target)
        )
    session.open_location(
        location, group_shared=state.settings.service_group_mode, allow_exposed=True
    )


@click.command("check")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def check(state: CliState, as_json: bool) -> None:
    """Check integrity, foreign keys, schema version and file modes; exit 1 on a problem.

    Supervisors and admins only; a supervisor sees no paths, modes or who is connected
    (see :mod:`psm_tui.ops.health`)."""
    _open_for_check(state)
    actor = health.checking_actor(state.as_name, state.settings.service_account)
    report = health.check_for(
        actor,
        group_shared=state.settings.service_group_mode,
        service_account=state.settings.service_account,
    )
    if as_json:
        print_json(
            {
                "database": report.location,
                "ok": report.ok,
                "checks": [dto_json(item) for item in report.items],
                "audit_head": _head_json(report.audit_head),
            }
        )
    else:
        out = table("", _("Check"), _("Result"))
        for item in report.items:
            out.add_row(
                _("ok") if item.ok else _("PROBLEM"),
                maintenance.check_label(item.name),
                cell(item.detail),
            )
        console().print(_("Database: {path}").format(path=report.location))
        console().print(out)
        if report.audit_head is not None:
            console().print(_("Audit log head: {head}").format(head=report.audit_head))
    if not report.ok:
        sys.exit(1)


def _head_json(head: ChainHead | None) -> dict[str, object] | None:
    return None if head is None else dto_json(head)


def _change_text(key: str, value: object) -> str:
    """``field: before -> after``, or ``field: value`` for a new record."""
    if isinstance(value, list) and len(value) == 2:
        before, after = ("-" if v is None or v == "" else v for v in value)
        return f"{key}: {after}" if value[0] is None else f"{key}: {before} -> {after}"
    return f"{key}: {value}"


def _print_emergency(state: CliState, since: dt.date | None, limit: int, as_json: bool) -> None:
    """``psm audit --emergency``: who opened which case outside their scope, and why."""
    grants = emergency_access.list_grants(state.actor(), since=since, limit=limit)
    if as_json:
        print_json(
            [
                {
                    "id": g.id,
                    "user": g.username,
                    "case": g.case_number,
                    "kecamatan": g.kecamatan_name,
                    "reason": g.reason,
                    "granted_at": g.granted_at.isoformat(),
                    "expires_at": g.expires_at.isoformat(),
                }
                for g in grants
            ]
        )
        return
    out = table(_("Time"), _("User"), _("Case"), _("Kecamatan"), _("Reason"))
    for g in grants:
        out.add_row(
            format_datetime(g.granted_at),
            cell(g.username),
            g.case_number,
            cell(g.kecamatan_name),
            cell(g.reason),
        )
    console().print(out)


@click.group("audit", invoke_without_command=True)
@click.option("--user", "username", metavar="U", help="Only what this login did.")
@click.option("--case", "case_number", metavar="NUMBER", help="Only rows about this case.")
@click.option("--since", metavar="YYYY-MM-DD", help="From this day on.")
@click.option("--until", metavar="YYYY-MM-DD", help="Up to and including this day.")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--emergency", is_flag=True, help="Only the emergency accesses (akses darurat), newest first."
)
@pass_state
def audit_command(
    state: CliState,
    username: str | None,
    case_number: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    as_json: bool,
    emergency: bool,
) -> None:
    """Who did what and when: every write, full-record view, export and refusal."""
    if click.get_current_context().invoked_subcommand is not None:
        return
    if emergency:
        _print_emergency(state, parse_date(since, "since"), limit, as_json)
        return
    rows = privacy.audit_trail(
        state.actor(),
        username=username,
        case_number=case_number,
        since=parse_date(since, "since"),
        until=parse_date(until, "until"),
        limit=limit,
    )
    if as_json:
        print_json(
            [
                {
                    "id": r.id,
                    "at": r.at.isoformat(),
                    "user": r.username,
                    "action": r.action,
                    "entity": r.entity,
                    "entity_id": r.entity_id,
                    "case": r.case_number,
                    "changes": r.changes,
                    "detail": r.detail,
                }
                for r in rows
            ]
        )
        return
    out = table(_("Time"), _("User"), _("Action"), _("Record"), _("Details"))
    for r in rows:
        record = f"{r.entity} {r.entity_id or ''}".strip()
        if r.case_number:
            record += f" ({r.case_number})"
        details = [_change_text(key, value) for key, value in r.changes.items()]
        out.add_row(
            format_datetime(r.at),
            cell(r.username),
            r.action,
            cell(record),
            cell("; ".join([*details, r.detail] if r.detail else details)),
        )
    console().print(out)


@audit_command.command("verify")
@click.option("--anchor", metavar="HASH", help="A head printed earlier (ID:HASH or HASH).")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def audit_verify_command(state: CliState, anchor: str | None, as_json: bool) -> None:
    """Verify the audit log's hash chain; with --anchor, prove nothing up to that row changed."""
    report = audit_verify.verify_log(state.actor(), anchor)
    if as_json:
        print_json(
            {
                "ok": True,
                "rows": report.rows,
                "head": _head_json(report.head),
                "anchor": _head_json(report.anchor_row),
            }
        )
        return
    click.echo(
        _("Audit log intact: {rows} rows, head {head}").format(
            rows=report.rows, head=report.head or "-"
        )
    )
    if report.anchor_row is not None:
        click.echo(
            _("Nothing up to and including row {id} has changed since the anchor.").format(
                id=report.anchor_row.id
            )
        )


@click.group("ssh")
def ssh_group() -> None:
    """Bind staff SSH keys to their identity on the service account."""


def _no_file_over_ssh(state: CliState, file: Path | None) -> None:
    """Over SSH only the service account's own authorized_keys is ever written."""
    if file is not None and state.actor().remote:
        raise UnsafePathError(_("Over SSH psm uses only the service account's authorized_keys"))


def _keys_file(state: CliState, file: Path | None) -> Path:
    return file.expanduser() if file else ssh_keys.default_file(state.settings.service_account)


_FILE_OPTION = click.option(
    "--file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The authorized_keys file (default: the service account's).",
)


@ssh_group.command("authorize")
@click.argument("name")
@click.argument("keyfile", metavar="KEYFILE|-")
@_FILE_OPTION
@click.option("--program", default="psm", show_default=True, help="psm as sshd should run it.")
@pass_state
def ssh_authorize(
    state: CliState, name: str, keyfile: str, file: Path | None, program: str
) -> None:
    """Let the key in KEYFILE (a .pub file; '-': standard input) log in as staff user NAME."""
    actor = state.actor()
    _no_file_over_ssh(state, file)
    key_text = read_key_file(state.boundary(), keyfile)
    result = ssh_keys.authorize(actor, name, key_text, _keys_file(state, file), program)
    message = (
        _("{name} may log in with key {fingerprint} ({path})")
        if result.changed
        else _("{name} already logs in with key {fingerprint} ({path})")
    )
    click.echo(message.format(name=name, fingerprint=result.fingerprint, path=result.path))


@ssh_group.command("revoke")
@click.argument("name")
@_FILE_OPTION
@pass_state
def ssh_revoke(state: CliState, name: str, file: Path | None) -> None:
    """Remove every key bound to staff user NAME."""
    _no_file_over_ssh(state, file)
    removed = ssh_keys.revoke(state.actor(), name, _keys_file(state, file))
    for fingerprint in removed:
        click.echo(_("revoked {fingerprint} of {name}").format(fingerprint=fingerprint, name=name))


@ssh_group.command("list")
@_FILE_OPTION
@click.option("--json", "as_json", is_flag=True)
@pass_state
def ssh_list(state: CliState, file: Path | None, as_json: bool) -> None:
    """The keys bound to staff identities, and every line that is not safely bound (admin only)."""
    path = _keys_file(state, file)
    rows = ssh_keys.list_bindings(state.actor(), path)
    unsafe = [line for line in ssh_audit.audit_keys(path) if line.problem]
    if as_json:
        print_json(
            [
                {
                    "user": b.username,
                    "type": b.kind,
                    "fingerprint": b.fingerprint,
                    "comment": b.comment,
                }
                for b in rows
            ]
            + [
                {
                    "user": line.username,
                    "type": line.kind,
                    "fingerprint": line.fingerprint,
                    "comment": line.comment,
                    "line": line.number,
                    "problem": line.problem,
                }
                for line in unsafe
            ]
        )
        return
    out = table(_("User"), _("Type"), _("Fingerprint"), _("Comment"))
    for b in rows:
        out.add_row(cell(b.username), b.kind, b.fingerprint, cell(b.comment))
    console().print(out)
    for line in unsafe:
        console().print(
            _("PROBLEM line {n} ({fingerprint} {comment}): {problem}").format(
                n=line.number,
                fingerprint=line.fingerprint,
                comment=cell(line.comment),
                problem=line.problem,
            )
        )


COMMANDS = [backup, restore, check, audit_command, ssh_group]
