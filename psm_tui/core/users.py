"""Staff users, identity and roles. Permissions are checked here, never in the UI."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pwd

import peewee

from psm_tui.core import audit
from psm_tui.core.dto import Actor, UserInfo
from psm_tui.core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from psm_tui.core.reference import find_kecamatan, kecamatan_label
from psm_tui.core.validation import safe_display, validate_name, validate_username
from psm_tui.i18n import _
from psm_tui.store import backend
from psm_tui.store.database import db
from psm_tui.store.models import StaffUser

ROLES = ("viewer", "operator", "supervisor", "admin")
_RANK = {role: rank for rank, role in enumerate(ROLES)}

# The least role each action needs.
PERMISSIONS = {
    "read": "viewer",
    "read.citywide": "supervisor",  # below this, a user with a kecamatan reads only that one
    "case.emergency": "viewer",  # akses darurat: open one case outside one's scope, audited
    "emergency.list": "supervisor",  # who used akses darurat (psm audit --emergency, dashboard)
    "case.create": "operator",
    "case.triage": "operator",
    "case.assign": "operator",
    "case.note": "operator",
    "case.status": "operator",
    "case.close": "supervisor",
    "case.reopen": "supervisor",
    "case.reassign_any": "supervisor",
    "case.restrict": "supervisor",  # read every sensitive case in scope, mark it, name users
    "followup.write": "operator",
    "client.edit": "operator",  # correct a client's record, add a family member, enrol
    "client.merge": "supervisor",  # two records of one person become one
    "programme.manage": "admin",  # the list of social-protection programmes
    "nik.full": "supervisor",
    "bank.full": "supervisor",  # a PSM's account number and holder (core/bank.py)
    "incentive.pay": "supervisor",  # record a month's incentive as prepared and paid out
    "export": "supervisor",  # exports carrying pay data (the incentive list)
    "export.list": "operator",  # case, follow-up and worker lists (NIK masked below supervisor)
    "export.report": "viewer",  # counts only: the monthly report
    "worker.manage": "admin",
    "user.manage": "admin",
    "audit.read": "supervisor",
    "db.backup": "supervisor",
    "db.restore": "admin",
    "db.setup": "admin",  # init and migrate, once a first admin exists (see setup.authorise_setup)
    "db.check": "supervisor",  # psm check: integrity, schema and audit protection
    "db.check.details": "admin",  # ...and file modes, folders and who is connected
    "ssh.list": "admin",  # every key's fingerprint and comment
}


def role_label(role: str) -> str:
    return {
        "viewer": _("viewer"),
        "operator": _("operator"),
        "supervisor": _("supervisor"),
        "admin": _("admin"),
    }.get(role, role)


def can(actor: Actor, permission: str) -> bool:
    return _RANK.get(actor.role, -1) >= _RANK[PERMISSIONS[permission]]


def read_scope(actor: Actor | None) -> str | None:
    """The kecamatan ``actor`` may read and act in; None is citywide (supervisors and admins,
    users without a kecamatan, and internal callers with no actor)."""
    if actor is None or can(actor, "read.citywide"):
        return None
    return actor.kecamatan_code


def audit_refusal(actor: Actor | str, entity: str, entity_id: str, detail: str) -> None:
    """Record a refusal so that it survives: the transaction it happens in is about to roll back,
    so the row is written once that transaction has ended."""
    backend.run_after_transaction(
        db.obj, lambda: audit.record(actor, "refused", entity, entity_id, detail=detail)
    )


def require(actor: Actor, permission: str, kecamatan_code: str | None = None) -> None:
    """Refuse (and audit the refusal) unless ``actor`` holds the role and the kecamatan scope."""
    needed = PERMISSIONS[permission]
    if not can(actor, permission):
        audit_refusal(actor, "permission", permission, needed)
        raise PermissionDenied(
            _("This needs the {role} role (you are {current})").format(
                role=role_label(needed), current=role_label(actor.role)
            )
        )
    scope = read_scope(actor)
    if kecamatan_code and scope and kecamatan_code != scope:
        audit_refusal(actor, "permission", permission, kecamatan_code)
        raise PermissionDenied(
            _("Your scope is {scope}; this record is in {other}").format(
                scope=kecamatan_label(scope), other=kecamatan_label(kecamatan_code)
            )
        )


def os_username() -> str:
    """The login of the process's effective user (not $LOGNAME/$USER, which anyone can set)."""
    return pwd.getpwuid(os.geteuid()).pw_name


def _actor(user: StaffUser) -> Actor:
    return Actor(user.id, user.username, user.full_name, user.role, user.kecamatan_code)


def _audit_identity_refusal(login: str, detail: str) -> None:
    """Who was turned away at the door; a login that cannot write the database is still refused."""
    with contextlib.suppress(peewee.DatabaseError):
        audit_refusal(login, "identity", login, detail)


def resolve_actor(as_name: str | None, service_account: str) -> Actor:
    """Who is acting: the OS user, or ``--as NAME`` when running as the service account."""
    login = os_username()
    if as_name:
        try:
            validate_username(as_name)
        except ValidationError:
            _audit_identity_refusal(login, f"--as {safe_display(as_name)}")
            raise
        if not service_account or login != service_account:
            _audit_identity_refusal(login, f"--as {as_name}")
            raise PermissionDenied(
                _("--as is only allowed for the service account; you are {login}").format(
                    login=login
                )
            )
        login = as_name
    user = _user(login)
    if user is None or not user.active:
        _audit_identity_refusal(login, "inactive" if user else "not registered")
        raise PermissionDenied(
            _(
                "User {login} is not registered. "
                "Ask an admin to run: psm user add {login} --role operator"
            ).format(login=login)
        )
    return dataclasses.replace(_actor(user), remote=bool(as_name))


def _user(username: str) -> StaffUser | None:
    """Only the columns an actor needs: a lookup that still works on a database whose other
    staff columns a pending migration is about to change (``psm migrate`` needs it)."""
    user: StaffUser | None = (
        StaffUser.select(
            StaffUser.id,
            StaffUser.username,
            StaffUser.full_name,
            StaffUser.role,
            StaffUser.kecamatan,
            StaffUser.active,
        )
        .where(StaffUser.username == username)
        .first()
    )
    return user


def actor_for(username: str) -> Actor:
    """The registered user ``username``, asked for by name (a lookalike is refused, not missed)."""
    user = _user(validate_username(username))
    if user is None:
        raise NotFoundError(_("Unknown user {name}").format(name=username))
    return _actor(user)


def _info(user: StaffUser) -> UserInfo:
    code = user.kecamatan_code
    return UserInfo(
        user.id,
        user.username,
        user.full_name,
        user.role,
        code,
        user.active,
        kecamatan_label(code) if code else None,
    )


def add_user(
    actor: Actor | None,
    username: str,
    role: str,
    full_name: str | None = None,
    kecamatan: str | None = None,
) -> UserInfo:
    """Register a staff login; ``actor`` None is ``psm init`` bootstrapping the first admin."""
    if actor is not None:
        require(actor, "user.manage")
    username = validate_username(username)
    full_name = validate_name(full_name, "full_name") if full_name else None
    if role not in ROLES:
        raise ValidationError(
            _("Unknown role {role}; use one of {roles}").format(role=role, roles=", ".join(ROLES)),
            "role",
        )
    kec = find_kecamatan(kecamatan).code if kecamatan else None
    with db.atomic():
        if StaffUser.get_or_none(StaffUser.username == username):
            raise ConflictError(_("User {name} already exists").format(name=username))
        user = StaffUser.create(
            username=username, full_name=full_name or username, role=role, kecamatan=kec
        )
        audit.record(
            actor or username,
            "user.add",
            "user",
            user.id,
            {"username": [None, username], "role": [None, role], "kecamatan": [None, kec]},
        )
    return _info(user)


def list_users() -> list[UserInfo]:
    return [_info(u) for u in StaffUser.select().order_by(StaffUser.username)]


def count_users() -> int:
    return StaffUser.select().count()
