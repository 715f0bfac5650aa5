"""Rendering for the terminal: JSON documents and Rich tables (user text never as markup)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from typing import TypeVar

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from psm_tui.core.case_queries import mask_nik
from psm_tui.core.dto import Actor, CaseDetail, CaseSummary, FollowUpInfo, WorkerInfo
from psm_tui.core.validation import safe_display
from psm_tui.i18n import _, format_number

F = TypeVar("F", bound=Callable[..., object])


def console() -> Console:
    """Rich output. Into a pipe or a file rows are never wrapped: scripts read a row a line."""
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 1000)


def print_json(document: object) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def dto_json(dto: object) -> dict[str, object]:
    """A DTO dataclass as JSON: its field names as keys, in field order, dates ISO 8601, Decimals
    as text, enums by value. For every document whose keys are the DTO's own fields; a document
    with keys of its own (renamed, masked, derived) keeps a hand-written function."""
    if not dataclasses.is_dataclass(dto) or isinstance(dto, type):
        raise TypeError(f"not a dataclass instance: {dto!r}")
    document = _plain(dataclasses.asdict(dto))
    assert isinstance(document, dict)
    return document


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dt.date):  # and datetimes
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def written_json_option(command: F) -> F:
    """``--json`` on a command that writes: the record as it is now, in its read command's shape."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print the written record as JSON, as the matching show or list command does.",
    )(command)


def say_if_cut(shown: int, total: int) -> None:
    """A list that stopped at its limit says so on stderr (stdout stays the rows alone)."""
    if shown < total:
        message = _("{shown} of {total} — --limit/--all")
        click.echo(message.format(shown=format_number(shown), total=format_number(total)), err=True)


def text(value: object) -> Text:
    """User text for a table cell: never parsed as markup, control characters made visible."""
    return Text(safe_display("" if value is None else str(value)))


def followup_json(f: FollowUpInfo) -> dict[str, object]:
    return {
        "id": f.id,
        "case": f.case_number,
        "opd": f.opd_code,
        "opd_name": f.opd_name,
        "action": f.action,
        "status": f.status,
        "due": f.due_on.isoformat() if f.due_on else None,
        "overdue": f.overdue,
        "due_soon": f.due_soon,
        "response": f.response,
        "reason": f.reason,
        "responded_at": f.responded_at.isoformat() if f.responded_at else None,
        "created_at": f.created_at.isoformat(),
    }


def case_json(case: CaseSummary, followups: list[FollowUpInfo]) -> dict[str, object]:
    """A case row; a restricted one (kasus terbatas) has no category and no client."""
    kel = case.kelurahan
    return {
        "number": case.number,
        "status": case.status,
        "priority": case.priority,
        "restricted": case.restricted,
        "category": None
        if case.restricted
        else {"code": int(case.category.code), "name": case.category.name},
        "kelurahan": {"code": kel.code, "name": kel.name},
        "kecamatan": {"code": kel.kecamatan_code, "name": kel.kecamatan_name},
        "client": None if case.restricted else {"name": case.client_name, "nik": case.client_nik},
        "worker": None if case.worker is None else dto_json(case.worker),
        "reported_at": case.reported_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "followups": [followup_json(f) for f in followups],
        "version": case.version,
    }


def case_detail_json(detail: CaseDetail) -> dict[str, object]:
    document = case_json(detail.summary, detail.followups)
    client = detail.client
    document["client"] = {
        "id": client.id,
        "name": client.name,
        "nik": client.nik,
        "kk": client.kk,
        "sex": client.sex,
        "birth_date": client.birth_date.isoformat() if client.birth_date else None,
        "age": client.age,
        "address": client.address,
        "rt": client.rt,
        "rw": client.rw,
        "phone": client.phone,
        "dtsen": client.dtsen,
        "dtsen_desil": client.dtsen_desil,
    }
    document.update(
        description=detail.description,
        source=detail.source,
        outcome=detail.outcome,
        closed_at=detail.closed_at.isoformat() if detail.closed_at else None,
        created_by=detail.created_by,
        updated_by=detail.updated_by,
        notes=[
            dto_json(a) for a in detail.activities if a.kind in ("catatan", "kunjungan", "telepon")
        ],
        timeline=[dto_json(a) for a in detail.activities],
        assignments=[
            {
                "worker_id": a.worker_id,
                "worker": a.worker_name,
                "by": a.assigned_by,
                "at": a.assigned_at.isoformat(),
                "reason": a.reason,
                "ended_at": a.ended_at.isoformat() if a.ended_at else None,
            }
            for a in detail.assignments
        ],
    )
    return document


def worker_json(w: WorkerInfo, actor: Actor | None) -> dict[str, object]:
    """A worker per the CLI contract; the NIK masked unless ``actor`` may see it in full."""
    return {
        "id": w.id,
        "name": w.name,
        "kind": w.kind,
        "nik": mask_nik(w.nik, actor),
        "phone": w.phone,
        "kelurahan_code": w.kelurahan_code,
        "kelurahan": w.kelurahan_name,
        "kecamatan_code": w.kecamatan_code,
        "kecamatan": w.kecamatan_name,
        "active": w.active,
        "joined_on": w.joined_on.isoformat() if w.joined_on else None,
        "open_cases": w.open_cases,
        "inactive_reason": w.inactive_reason,
    }


def table(*columns: str) -> Table:
    """A borderless table. At 80 columns every column but the first (the ID or case number)
    wraps: truncating or dropping a column would hide what the user asked for."""
    result = Table(box=None, header_style="bold", pad_edge=False, expand=False)
    for index, column in enumerate(columns):
        result.add_column(column, overflow="fold", no_wrap=index == 0)
    return result
