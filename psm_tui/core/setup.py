"""Creating and upgrading a database: migrations, reference data, the first admin."""

from __future__ import annotations

from dataclasses import dataclass

from psm_tui.core import programmes, reference, users
from psm_tui.core.dto import Actor
from psm_tui.core.errors import SchemaError
from psm_tui.i18n import _
from psm_tui.store import database
from psm_tui.store.models import Case, Meta, StaffUser


@dataclass(frozen=True)
class InitResult:
    applied: list[str]
    counts: dict[str, int]
    admin_created: str | None


def authorise_setup(as_name: str | None, service_account: str) -> Actor | None:
    """Who may run ``psm init`` / ``psm migrate`` (and ``psm demo``, which applies migrations).

    On a database without staff users yet anyone who can open it may: that first ``init`` makes
    its OS user the first admin, and there is nothing yet to protect. From then on only an admin
    (None is returned for the first run). Only the columns an actor needs are read, so an admin
    can still migrate a database whose staff table is one migration behind.
    """
    has_table = database.db.table_exists(StaffUser._meta.table_name)
    if not has_table or not StaffUser.select(StaffUser.id).exists():
        return None
    actor = users.resolve_actor(as_name, service_account)
    users.require(actor, "db.setup")
    return actor


def initialise(full_name: str | None = None) -> InitResult:
    """Apply pending migrations, (re)load reference data; on an empty database the OS user
    running it becomes the first admin. Idempotent."""
    applied = database.migrate()
    counts = reference.load_reference_data()
    counts["programmes"] = programmes.load_programmes(reference.read_reference("programmes.csv"))
    admin = None
    if StaffUser.select().count() == 0:
        admin = users.os_username()
        users.add_user(None, admin, "admin", full_name=full_name)
    return InitResult(applied, counts, admin)


def check_schema() -> None:
    """Refuse to work on a database whose schema is behind this version of psm."""
    pending = database.pending_migrations()
    if pending:
        if "0001_initial" in pending:
            raise SchemaError(_("The database is not set up yet; run: psm init"))
        raise SchemaError(
            _("The database needs {count} migration(s); ask an admin to run: psm migrate").format(
                count=len(pending)
            )
        )


def get_meta(key: str) -> str | None:
    row = Meta.get_or_none(Meta.key == key)
    return row.value if row else None


def set_meta(key: str, value: str) -> None:
    Meta.insert(key=key, value=value).on_conflict(
        conflict_target=[Meta.key], update={Meta.value: value}
    ).execute()


def holds_cases() -> bool:
    return Case.select().limit(1).exists()
