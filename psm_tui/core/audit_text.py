"""The audit trail in words: what was done, and each change as "field: before → after" with
names for codes (a kelurahan's name, a status's label), never raw JSON or Python dicts.

Audit rows keep codes and ids (they are evidence, read back by ``psm audit``); this module words
them for a person reading a case. It reads the names it needs once per call, so it runs where the
database may be used (a TUI worker, the CLI), not while a screen paints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from psm_tui.core.audit import AuditEntry
from psm_tui.core.labels import (
    dtsen_label,
    followup_status_label,
    priority_label,
    source_label,
    status_label,
)
from psm_tui.core.reference import all_categories, all_kecamatan, all_kelurahan, all_opds
from psm_tui.i18n import N_, _
from psm_tui.store.models import Worker

ACTIONS = {
    "case.create": N_("registered the case"),
    "case.assign": N_("assigned"),
    "case.status": N_("changed the status"),
    "case.close": N_("closed"),
    "case.reopen": N_("reopened"),
    "case.priority": N_("changed the priority"),
    "case.category": N_("changed the category"),
    "case.triage": N_("triaged"),
    "case.edit": N_("edited the case"),
    "case.note": N_("added a note"),
    "case.view": N_("opened the case"),
    "case.emergency": N_("emergency access"),
    "client.create": N_("registered the client"),
    "followup.create": N_("sent a follow-up"),
    "followup.update": N_("updated a follow-up"),
    "export": N_("exported"),
    "refused": N_("was refused"),
}

FIELDS = {
    "number": N_("number"),
    "client": N_("client"),
    "name": N_("name"),
    "category": N_("category"),
    "kelurahan": N_("kelurahan"),
    "kecamatan": N_("kecamatan"),
    "status": N_("status"),
    "priority": N_("priority"),
    "source": N_("source"),
    "worker": N_("PSM"),
    "description": N_("description"),
    "outcome": N_("outcome"),
    "reason": N_("reason"),
    "opd": "OPD",
    "action": N_("request"),
    "response": N_("response"),
    "due_on": N_("due"),
    "kind": N_("kind"),
    "text": N_("text"),
    "dtsen": "DTSEN",
    "expires_at": N_("until"),
    "filters": N_("filters"),
}

NOTHING = "-"
# Fields whose value says nothing to a reader (an internal id; the number heads the case).
HIDDEN = frozenset({"client", "number"})


@dataclass(frozen=True)
class AuditLine:
    entry: AuditEntry
    what: str
    changes: str


class _Names:
    """Code → name for the vocabularies audit rows refer to, read once per rendering."""

    def __init__(self) -> None:
        self.kelurahan = {k.code: k.name for k in all_kelurahan()}
        self.kecamatan = {k.code: k.name for k in all_kecamatan()}
        self.category = {c.code: c.name for c in all_categories()}
        self.opd = {o.code: o.name for o in all_opds()}
        self.workers: dict[str, str] = {}

    def worker(self, worker_id: object) -> str:
        key = str(worker_id)
        if key not in self.workers:
            row = Worker.get_or_none(Worker.id == worker_id)
            self.workers[key] = row.name if row is not None else f"#{key}"
        return self.workers[key]

    def value(self, field: str, value: object, entity: str = "case") -> str:
        if value is None or value == "":
            return NOTHING
        if isinstance(value, dict):
            return ", ".join(f"{field_label(k)} {self.value(k, v)}" for k, v in value.items())
        if isinstance(value, list):
            return ", ".join(self.value(field, v, entity) for v in value)
        text = str(value)
        lookups: dict[str, Callable[[str], str]] = {
            # a follow-up's status is sent, accepted…, not a case's
            "status": followup_status_label if entity == "followup" else status_label,
            "priority": priority_label,
            "source": source_label,
            "dtsen": dtsen_label,
            "kelurahan": lambda c: self.kelurahan.get(c, c),
            "kecamatan": lambda c: self.kecamatan.get(c, c),
            "category": lambda c: self.category.get(c, c),
            "opd": lambda c: self.opd.get(c, c),
            "worker": self.worker,
        }
        lookup = lookups.get(field)
        return lookup(text) if lookup is not None else text

    def change(self, field: str, value: object, entity: str) -> str:
        """``field: before → after`` (``field: after`` for a value set the first time)."""
        label = field_label(field)
        if isinstance(value, list) and len(value) == 2:
            before, after = (self.value(field, v, entity) for v in value)
            return f"{label}: {after}" if value[0] is None else f"{label}: {before} → {after}"
        return f"{label}: {self.value(field, value, entity)}"


def field_label(field: str) -> str:
    return _(FIELDS[field]) if field in FIELDS else field.replace("_", " ")


def action_label(action: str) -> str:
    return _(ACTIONS[action]) if action in ACTIONS else action


def audit_lines(entries: Iterable[AuditEntry]) -> list[AuditLine]:
    """Each entry with its action and changes in words, in the order given."""
    names = _Names()
    lines = []
    for entry in entries:
        parts = [
            names.change(field, value, entry.entity)
            for field, value in entry.changes.items()
            if field not in HIDDEN
        ]
        if entry.detail and not parts:
            parts.append(entry.detail)
        lines.append(AuditLine(entry, action_label(entry.action), "; ".join(parts)))
    return lines
