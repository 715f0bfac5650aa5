"""``psm check`` on a server deployment: the SSH door, sshd, and whether the nightly backup ran.

These items exist only where a service account is configured (``/etc/psm-tui/config.toml``):
on a laptop or in staff-group mode there is no shared door to audit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from psm_tui.core import clock
from psm_tui.core.errors import PsmError
from psm_tui.i18n import _, format_datetime
from psm_tui.ops import ssh_audit, ssh_keys
from psm_tui.ops.maintenance import CheckItem
from psm_tui.store.models import AuditLog

BACKUP_MAX_AGE = dt.timedelta(hours=26)  # a nightly job, with room for a slow night


def keys_item(path: Path) -> CheckItem:
    try:
        lines = ssh_audit.audit_keys(path)
    except OSError as error:
        return CheckItem("ssh_keys", False, f"{path}: {error.strerror}")
    problems = [
        _("line {n}: {problem}").format(n=line.number, problem=line.problem)
        for line in lines
        if line.problem
    ]
    if problems:
        return CheckItem("ssh_keys", False, f"{path}: " + "; ".join(problems))
    return CheckItem(
        "ssh_keys",
        True,
        _("{path}: {count} key(s), each bound to a person").format(path=path, count=len(lines)),
    )


def sshd_item(account: str) -> CheckItem | None:
    """Password logins off for the account, as sshd itself resolves its configuration."""
    try:
        settings = ssh_audit.sshd_settings(account)
    except PsmError as error:
        return CheckItem("sshd", False, _("sshd -T failed: {reason}").format(reason=error))
    if settings is None:
        return None
    open_doors = [
        name
        for name in ("passwordauthentication", "kbdinteractiveauthentication")
        if settings.get(name, ["no"])[-1] != "no"
    ]
    unsafe = ssh_audit.unsafe_accept_env(settings.get("acceptenv", []))
    if unsafe:
        return CheckItem(
            "sshd",
            False,
            _("AcceptEnv {patterns} lets a client set {names} for {account}").format(
                patterns=" ".join(unsafe),
                names=", ".join(ssh_audit.UNSAFE_ENV[:2]),
                account=account,
            ),
        )
    if open_doors:
        return CheckItem(
            "sshd",
            False,
            _("{settings} on for {account}: add the Match User block (deploy/install.sh)").format(
                settings=", ".join(open_doors), account=account
            ),
        )
    return CheckItem("sshd", True, _("password logins off for {account}").format(account=account))


def backup_item() -> CheckItem:
    """The age of the last backup: the nightly job's footprint in the audit log."""
    last = (
        AuditLog.select(AuditLog.at)
        .where(AuditLog.action == "db.backup")
        .order_by(AuditLog.id.desc())
        .first()
    )
    if last is None:
        return CheckItem("last_backup", False, _("no backup yet: run psm backup"))
    age = clock.now() - last.at
    hours = int(age.total_seconds() // 3600)
    detail = _("{when} ({hours} h ago)").format(when=format_datetime(last.at), hours=hours)
    if age > BACKUP_MAX_AGE:
        return CheckItem(
            "last_backup",
            False,
            _("{detail}: the nightly backup has not run").format(detail=detail),
        )
    return CheckItem("last_backup", True, detail)


def deployment_items(account: str, *, sqlite: bool) -> list[CheckItem]:
    """The items of a server with the service account ``account``."""
    try:
        keys = ssh_keys.default_file(account)
    except PsmError as error:
        items = [CheckItem("ssh_keys", False, str(error))]
    else:
        items = [keys_item(keys)]
    sshd = sshd_item(account)
    if sshd is not None:
        items.append(sshd)
    if sqlite:
        items.append(backup_item())
    return items
