"""Timeline facts: what happened, stored as an event code with parameters, worded when read.

A timeline entry (and an assignment reason) is stored as a JSON object such as
``{"event": "status", "from": "baru", "to": "ditugaskan"}``; text a user typed is one of its
parameters, kept verbatim. :func:`render` words it in the *reader's* language, so an English
session never writes English into an Indonesian record. Stored text that is not such an object
(rows from before migration 0010, or written by other tools) is shown as it is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from psm_tui.core.labels import followup_status_label, priority_label, status_label
from psm_tui.i18n import _, format_date

Fact = dict[str, Any]
REOPEN_FROM = ("selesai", "ditutup")


def fact(event: str, **params: Any) -> Fact:
    """A fact with its parameters (None values left out, so stored rows stay small)."""
    return {"event": event, **{k: v for k, v in params.items() if v is not None}}


def encode(value: Fact) -> str:
    """The stored form: compact JSON, non-ASCII kept readable."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def decode(stored: str | None) -> Fact | None:
    """The fact in ``stored``, or None when it is plain (legacy) text."""
    if not stored or not stored.startswith("{"):
        return None
    try:
        value = json.loads(stored)
    except ValueError:
        return None
    return value if isinstance(value, dict) and isinstance(value.get("event"), str) else None


def render(stored: str | Fact | None) -> str:
    """The one renderer: a stored fact (or plain legacy text) in the current language."""
    value = stored if isinstance(stored, dict) else decode(stored)
    if value is None:
        return str(stored or "")
    return _word(value)


def _word(value: Any) -> str:
    """A parameter that may itself be a fact (an assignment's reason) or plain text."""
    if isinstance(value, dict) and "event" in value:
        wording = _WORDINGS.get(str(value["event"]))
        if wording is None:
            return str(value.get("text", "")) or encode(value)
        return wording(value)
    return "" if value is None else str(value)


def _with(label: str, detail: Any) -> str:
    text = _word(detail)
    return f"{label}: {text}" if text else label


def _status(f: Fact) -> str:
    if f.get("reopen") or (f.get("from") in REOPEN_FROM and f.get("to") in ("ditangani", "baru")):
        return _with(_("reopened"), f.get("reason"))
    label = status_label(str(f.get("to", "")))
    return _with(label, f.get("outcome") or f.get("reason"))


def _due(value: Any) -> str:
    try:
        return format_date(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _followup(f: Fact) -> str:
    return _("to {opd}: {action} (due {due})").format(
        opd=f.get("opd_name", f.get("opd", "")),
        action=f.get("action", ""),
        due=_due(f.get("due")) if f.get("due") else "-",
    )


def _followup_status(f: Fact) -> str:
    text = f"{f.get('opd', '')}: {followup_status_label(str(f.get('status', '')))}"
    return text + (f" - {f['text']}" if f.get("text") else "")


def _imported(f: Fact) -> str:
    text = _("{status}: imported from {file}, row {row}").format(
        status=status_label(str(f.get("status", ""))), file=f.get("file", ""), row=f.get("row", "")
    )
    if f.get("file_status"):
        said = _("the file said {status}: assign a PSM")
        text += "; " + said.format(status=status_label(str(f["file_status"])))
    return text


_WORDINGS: dict[str, Callable[[Fact], str]] = {
    "note": lambda f: str(f.get("text", "")),
    "legacy": lambda f: str(f.get("text", "")),
    "text": lambda f: str(f.get("text", "")),
    "status": _status,
    "priority": lambda f: _("priority: {value}").format(value=priority_label(str(f.get("to", "")))),
    "category": lambda f: _("category: {value}").format(value=f.get("name", f.get("to", ""))),
    "assign": lambda f: (
        f"{f['worker_name']}: {_word(f.get('why'))}"
        if f.get("worker_name")
        else _word(f.get("why"))
    ),
    "followup": _followup,
    "followup_status": _followup_status,
    "import": _imported,
    "import.row": lambda f: _("import of {file}, row {row}").format(
        file=f.get("file", ""), row=f.get("row", "")
    ),
    "restore": lambda f: _("from {source}; replaced contents kept in {keep}").format(
        source=f.get("source", ""), keep=f.get("keep", "-")
    ),
    "auto.kelurahan": lambda f: _("fewest open cases among the PSM of Kel. {kel} ({n})").format(
        kel=f.get("kel", ""), n=f.get("n", "")
    ),
    "auto.kecamatan": lambda f: _("no active PSM in Kel. {kel}; {why}").format(
        kel=f.get("kel", ""), why=_word(f.get("why"))
    ),
    "auto.tksk": lambda f: _("no active PSM in Kec. {kec}; its TKSK").format(kec=f.get("kec", "")),
    "candidate.kelurahan": lambda f: _("PSM of {kel} with {n} open cases").format(
        kel=f.get("kel", ""), n=f.get("n", "")
    ),
    "candidate.kecamatan": lambda f: _(
        "PSM of Kel. {other}, same kecamatan, with {n} open cases"
    ).format(other=f.get("other", ""), n=f.get("n", "")),
    "candidate.tksk": lambda f: _("TKSK of Kec. {kec}").format(kec=f.get("kec", "")),
    "chosen": lambda f: _("chosen by {user}").format(user=f.get("user", "")),
    "bulk": lambda f: _("bulk assignment: {tier}, {n} open cases before this one").format(
        tier=_tier(str(f.get("tier", ""))), n=f.get("n", "")
    ),
    "handover": lambda f: _("hand-over: {why}; {basis}").format(
        why=_word(f.get("why")), basis=_word(f.get("basis"))
    ),
    "moved": lambda f: _("{name} moved to {kel}").format(
        name=f.get("name", ""), kel=f.get("kel", "")
    ),
    "roster.inactive": lambda f: _("inactive in the imported roster"),
    "left": lambda f: _("{name} left: {reason}").format(
        name=f.get("name", ""), reason=f.get("reason", "")
    ),
}


def _tier(tier: str) -> str:
    return {
        "kelurahan": _("PSM of the kelurahan"),
        "kecamatan": _("PSM of the kecamatan"),
        "tksk": _("TKSK"),
    }.get(tier, tier)
