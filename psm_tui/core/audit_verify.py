"""Checking the audit log's hash chain for a user: ``psm audit verify`` and ``psm check``.

The chain mechanics are in :mod:`psm_tui.core.audit_chain`; this module decides who may
verify, what counts as a failure, and what the user is told.
"""

from __future__ import annotations

import datetime as dt

from psm_tui.core.audit_chain import ChainBreak, ChainReport, parse_anchor, verify
from psm_tui.core.dto import Actor
from psm_tui.core.errors import AuditChainError, ValidationError
from psm_tui.core.users import require
from psm_tui.core.validation import safe_display
from psm_tui.i18n import _, format_datetime


def _when(value: dt.datetime | str | None) -> str:
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return safe_display(value)
        return format_datetime(parsed)
    return format_datetime(value)


def break_text(found: ChainBreak) -> str:
    """One line naming the first broken row: its id, when and who."""
    where = _("row {id} ({at}, {user})").format(
        id=found.id, at=_when(found.at), user=safe_display(str(found.username))
    )
    if found.reason == "missing" and found.missing is not None:
        first, last = found.missing
        if first == last:
            return _("audit row {id} is missing before {row}").format(id=first, row=where)
        return _("audit rows {first}-{last} are missing before {row}").format(
            first=first, last=last, row=where
        )
    if found.reason == "unhashed":
        return _("{row} has no hash: it was written around psm").format(row=where)
    return _(
        "{row} does not match its hash: it was changed, or a row before it was removed"
    ).format(row=where)


def verify_log(actor: Actor, anchor_text: str | None = None) -> ChainReport:
    """The whole chain verified, and (given an anchor taken earlier) proof that nothing up to
    and including the anchor's row has changed since; ``AuditChainError`` otherwise."""
    require(actor, "audit.read")
    anchor = None
    if anchor_text is not None:
        anchor = parse_anchor(anchor_text)
        if anchor is None:
            raise ValidationError(
                _("An anchor is the 64 hex digits of a hash, or ID:HASH as psm prints it"),
                "anchor",
            )
    report = verify(anchor)
    found = report.anchor_row
    if report.broken is not None:
        problem = break_text(report.broken)
        if anchor is not None and found is not None and found.hash == anchor.hash:
            raise AuditChainError(
                _(
                    "The audit log matches the anchor up to row {id}, but after it: {problem}"
                ).format(id=found.id, problem=problem)
            )
        raise AuditChainError(
            _("The audit log was tampered with: {problem}").format(problem=problem)
        )
    if anchor is None:
        return report
    last = report.head.id if report.head else 0
    if anchor.id is not None and found is None:
        raise AuditChainError(
            _(
                "The audit log ends at row {last}, before the anchor's row {id}: rows were"
                " removed, or the anchor is from another database"
            ).format(last=last, id=anchor.id)
        )
    if found is None:
        raise AuditChainError(
            _(
                "No audit row has the hash {hash}: the anchor is mistyped, or the log up to it was"
                " rewritten"
            ).format(hash=anchor.hash)
        )
    if found.hash != anchor.hash:
        raise AuditChainError(
            _(
                "Audit row {id} no longer has the anchored hash: the log up to it was rewritten"
            ).format(id=found.id)
        )
    return report
