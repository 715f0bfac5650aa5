"""Coverage: does every kelurahan have someone to visit its cases, and how loaded are they?

Three grouped queries for the whole city (no query per kelurahan), so it stays cheap at scale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from peewee import ModelSelect, fn

from psm_tui.core import clock
from psm_tui.core.dto import KelurahanRef
from psm_tui.core.labels import OPEN_STATUSES
from psm_tui.core.pending_imports import visible
from psm_tui.core.reference import all_kelurahan, find_kecamatan
from psm_tui.core.roster import ACTIVITY_KINDS
from psm_tui.store.models import Activity, Case, Worker
from psm_tui.store.rows import tuples

IDLE_DAYS = 60


@dataclass(frozen=True)
class CoverageRow:
    """One kelurahan. ``open_cases`` counts baru, ditugaskan and ditangani cases located there."""

    kelurahan: KelurahanRef
    active_psm: int
    open_cases: int
    idle_psm: int

    @property
    def cases_per_psm(self) -> float | None:
        return self.open_cases / self.active_psm if self.active_psm else None

    @property
    def uncovered(self) -> bool:
        """No active PSM: its cases fall to the kecamatan's other PSM or its TKSK."""
        return self.active_psm == 0


def idle_cutoff(today: dt.date | None = None) -> dt.datetime:
    """Activity at or after this moment keeps a PSM from counting as idle."""
    day = (today or clock.today()) - dt.timedelta(days=IDLE_DAYS)
    return dt.datetime.combine(day, dt.time())


def _counts(query: ModelSelect[Any]) -> dict[str, int]:
    """A query of (code, count) rows as a dict."""
    return {code: int(n) for code, n in tuples(query)}


def coverage(kecamatan: str | None = None, *, today: dt.date | None = None) -> list[CoverageRow]:
    """Per kelurahan (in code order): active PSM, open cases, PSM with no note, home visit or
    call in the last 60 days."""
    refs = all_kelurahan()
    if kecamatan:
        code = find_kecamatan(kecamatan).code
        refs = [ref for ref in refs if ref.kecamatan_code == code]
    active = (
        Worker.select(Worker.kelurahan, fn.COUNT(Worker.id))
        .where(
            Worker.kind == "psm",
            Worker.active == True,  # noqa: E712 - SQL comparison
            visible(Worker.id),
        )
        .group_by(Worker.kelurahan)
    )
    recent = Activity.select(Activity.worker).where(
        Activity.at >= idle_cutoff(today),
        Activity.worker.is_null(False),
        Activity.kind.in_(ACTIVITY_KINDS),
    )
    idle = active.where(Worker.id.not_in(recent))
    open_cases = (
        Case.select(Case.kelurahan, fn.COUNT(Case.id))
        .where(Case.status.in_(OPEN_STATUSES), visible(Case.id))
        .group_by(Case.kelurahan)
    )
    psm, late, held = _counts(active), _counts(idle), _counts(open_cases)
    return [
        CoverageRow(ref, psm.get(ref.code, 0), held.get(ref.code, 0), late.get(ref.code, 0))
        for ref in refs
    ]


def uncovered_kelurahan(kecamatan: str | None = None) -> list[KelurahanRef]:
    """Kelurahan with no active PSM: for the dashboard and ``psm summary`` to flag."""
    return [row.kelurahan for row in coverage(kecamatan) if row.uncovered]
