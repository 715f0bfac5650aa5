"""A PSM's bank details, where finance transfers the monthly incentive.

An account number and its holder are pay data: a role below supervisor (``bank.full``) sees the
bank and only the last four digits of the account, and the holder not at all. A supervisor who
reads them in full leaves a ``worker.bank.view`` row in the audit log; every change leaves a
``worker.edit`` row with the account masked, so the log never holds an account number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from psm_tui.core import audit
from psm_tui.core.dto import Actor
from psm_tui.core.errors import NotFoundError, ValidationError
from psm_tui.core.users import can
from psm_tui.core.validation import validate_name, validate_text
from psm_tui.i18n import _
from psm_tui.store.models import Worker

BANK_FIELDS = ("bank_name", "bank_account", "bank_holder")


@dataclass(frozen=True)
class BankDetails:
    bank: str | None
    account: str | None
    holder: str | None
    masked: bool

    @property
    def empty(self) -> bool:
        return not (self.bank or self.account or self.holder)


def mask_account(account: str | None, actor: Actor | None) -> str | None:
    """``******7890`` unless the actor may see pay data in full (None masks: the audit log)."""
    if not account or (actor is not None and can(actor, "bank.full")):
        return account
    return "*" * max(len(account) - 4, 0) + account[-4:]


def validate_bank(value: str | None) -> str | None:
    """A bank's name as the office writes it (``BJB``, ``Bank DKI``); empty clears it."""
    text = validate_text(value, "bank", limit=60) if value else ""
    return text.strip() or None


def validate_account(value: str | None) -> str | None:
    """Digits only (spaces, dots and dashes as printed on a passbook are dropped), 6 to 30."""
    if value is None or not value.strip():
        return None
    raw = re.sub(r"[\s.\-]", "", value.strip())
    if not raw.isdigit() or not 6 <= len(raw) <= 30:
        raise ValidationError(
            _("Account number {value} is not valid (6 to 30 digits)").format(value=value),
            "account",
        )
    return raw


def validate_holder(value: str | None) -> str | None:
    return validate_name(value) if value and value.strip() else None


def bank_changes(
    bank: str | None, account: str | None, holder: str | None
) -> dict[str, str | None]:
    """The validated columns to write; an argument left None is not changed, "" clears it."""
    changes: dict[str, str | None] = {}
    if bank is not None:
        changes["bank_name"] = validate_bank(bank)
    if account is not None:
        changes["bank_account"] = validate_account(account)
    if holder is not None:
        changes["bank_holder"] = validate_holder(holder)
    return changes


def masked_diff(before: dict[str, object], after: dict[str, object]) -> dict[str, list[object]]:
    """``audit.diff`` of the stored values, with every account number masked in it."""
    changes = audit.diff(before, after)
    if "bank_account" in changes:
        changes["bank_account"] = [
            mask_account(v if isinstance(v, str) else None, None) for v in changes["bank_account"]
        ]
    return changes


def bank_details(actor: Actor, worker_id: int) -> BankDetails:
    """What ``actor`` may see of the worker's bank details; a full view is audited."""
    worker = Worker.get_or_none(Worker.id == worker_id)
    if worker is None:
        raise NotFoundError(_("Worker {id} not found").format(id=worker_id))
    if not can(actor, "bank.full"):
        return BankDetails(
            worker.bank_name, mask_account(worker.bank_account, actor), None, masked=True
        )
    details = BankDetails(worker.bank_name, worker.bank_account, worker.bank_holder, False)
    if details.account:
        audit.record(actor, "worker.bank.view", "worker", worker_id)
    return details
