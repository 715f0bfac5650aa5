"""``psm check`` as each role may see it.

An admin sees the whole report (:func:`maintenance.check_database`). A supervisor needs to know
whether the data can be trusted, not how the server is laid out, so they see:

- in full: integrity, foreign keys, schema version and every audit-log item (``audit_*``; the
  audit trail is theirs to read anyway);
- connections as a count only, never which process or login holds the database;
- every other item (file modes, the folder, and any item added later until it is listed here)
  as ok or "a problem; ask an admin", without paths, modes or names;
- the database as ``SQLite`` or ``PostgreSQL``, not its path.

Viewers and operators are refused. A database without staff users yet, or one whose users
cannot be read (not set up, damaged), is checked in full for whoever could open it: the file
permissions decided that already, and it is when an admin most needs the details.
"""

from __future__ import annotations

import dataclasses

import peewee

from psm_tui.core.dto import Actor
from psm_tui.core.imports import runs
from psm_tui.core.users import can, require, resolve_actor
from psm_tui.i18n import _
from psm_tui.ops import deployment
from psm_tui.ops.maintenance import CheckItem, CheckReport, check_database
from psm_tui.store import maintenance as backend_maintenance
from psm_tui.store.database import db
from psm_tui.store.models import StaffUser

# Items a supervisor sees with their detail.
SUPERVISOR_ITEMS = frozenset({"integrity", "foreign_keys", "schema", "last_backup", "imports"})


def checking_actor(as_name: str | None, service_account: str) -> Actor | None:
    """Who runs the check; None where nobody can be looked up (see the module docstring)."""
    try:
        if not StaffUser.select(StaffUser.id).exists():
            return None
        actor = resolve_actor(as_name, service_account)
    except peewee.DatabaseError:
        return None
    require(actor, "db.check")
    return actor


def check_for(
    actor: Actor | None, *, group_shared: bool = False, service_account: str = ""
) -> CheckReport:
    """The health report, with the deployment's items on a server, cut to what ``actor`` may see."""
    report = check_database(group_shared=group_shared)
    if db.table_exists("import_run"):
        report = dataclasses.replace(report, items=(*report.items, imports_item()))
    if service_account and not group_shared:
        sqlite = backend_maintenance.sqlite_path(db.obj) is not None
        extra = deployment.deployment_items(service_account, sqlite=sqlite)
        report = dataclasses.replace(report, items=report.items + tuple(extra))
    if actor is None or can(actor, "db.check.details"):
        return report
    location = "SQLite" if backend_maintenance.sqlite_path(db.obj) else "PostgreSQL"
    return CheckReport(location, tuple(_for_supervisor(item) for item in report.items))


def imports_item() -> CheckItem:
    """Unfinished imports: one still running, or one whose process died (its rows stay hidden
    until ``psm import recover`` or the next import rolls it back)."""
    unfinished = runs.unfinished()
    dead = [run for run in unfinished if not run.alive]
    if dead:
        detail = _(
            "{count} unfinished import(s) whose process is gone ({file}, by {user}); "
            "run: psm import recover"
        ).format(count=len(dead), file=dead[0].source, user=dead[0].username)
        return CheckItem("imports", False, detail)
    if unfinished:
        run = unfinished[0]
        detail = _("an import is running ({file}, by {user})").format(
            file=run.source, user=run.username
        )
        return CheckItem("imports", True, detail)
    return CheckItem("imports", True, _("ok"))


def _for_supervisor(item: CheckItem) -> CheckItem:
    if item.name in SUPERVISOR_ITEMS or item.name.startswith("audit"):
        return item
    if item.name == "connections":
        return dataclasses.replace(item, detail=_connection_count())
    detail = _("ok") if item.ok else _("a problem; ask an admin to run: psm check")
    return dataclasses.replace(item, detail=detail)


def _connection_count() -> str:
    live = backend_maintenance.sqlite_path(db.obj)
    pids = backend_maintenance.connected_processes(live) if live else None
    return _("unknown") if pids is None else str(len(pids))
