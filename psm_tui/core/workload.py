"""PSM workload: today's open caseload of every active worker, and the kelurahan it leaves short.

Part of the reporting module (see :mod:`psm_tui.core.reports`); a snapshot, so no period.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from peewee import SQL, fn

from psm_tui.core.labels import HELD_STATUSES, OPEN_STATUSES
from psm_tui.core.pending_imports import visible
from psm_tui.core.reference import all_kecamatan, all_kelurahan
from psm_tui.store.models import Case, Worker
from psm_tui.store.rows import tuples

MOST_LOADED = 10
# Buckets of the open-caseload distribution: (low, high); None is "and more".
LOAD_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (0, 0),
    (1, 1),
    (2, 2),
    (3, 5),
    (6, 10),
    (11, None),
)


@dataclass(frozen=True)
class WorkerLoad:
    id: int
    name: str
    kind: str
    kelurahan_code: str | None
    kelurahan_name: str | None
    kecamatan_code: str
    kecamatan_name: str
    open_cases: int


@dataclass(frozen=True)
class KelurahanLoad:
    code: str
    name: str
    kecamatan_code: str
    kecamatan_name: str
    active_psm: int
    open_cases: int

    @property
    def per_psm(self) -> float | None:
        return self.open_cases / self.active_psm if self.active_psm else None


@dataclass(frozen=True)
class LoadBucket:
    low: int
    high: int | None
    workers: int

    @property
    def label(self) -> str:
        if self.high is None:
            return f"{self.low}+"
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"


@dataclass(frozen=True)
class Workload:
    """Today's open caseload (assigned or in progress) of the active PSM."""

    threshold: int
    active_psm: int
    open_cases: int
    psm_without_cases: int
    distribution: list[LoadBucket]
    most_loaded: list[WorkerLoad]
    kelurahan_without_psm: list[KelurahanLoad]
    kelurahan_overloaded: list[KelurahanLoad]


def active_psm_by_kelurahan(kecamatan: str | None) -> Counter[str]:
    query = (
        Worker.select(Worker.kelurahan, fn.COUNT(Worker.id))
        .where(Worker.kind == "psm", Worker.active == True, visible(Worker.id))  # noqa: E712
        .group_by(Worker.kelurahan)
    )
    if kecamatan:
        query = query.where(Worker.kecamatan == kecamatan)
    return Counter({code: int(n) for code, n in tuples(query)})


def worker_loads(kecamatan: str | None = None, kind: str | None = None) -> list[WorkerLoad]:
    """Every active worker with today's open caseload, the most loaded first."""
    held = Counter(
        {
            wid: int(n)
            for wid, n in tuples(
                Case.select(Case.worker, fn.COUNT(Case.id))
                .where(Case.status.in_(HELD_STATUSES), Case.worker.is_null(False), visible(Case.id))
                .group_by(Case.worker)
            )
        }
    )
    query = Worker.select(
        Worker.id, Worker.name, Worker.kind, Worker.kelurahan, Worker.kecamatan
    ).where(Worker.active == True, visible(Worker.id))  # noqa: E712
    if kecamatan:
        query = query.where(Worker.kecamatan == kecamatan)
    if kind:
        query = query.where(Worker.kind == kind)
    kel_names = {k.code: k.name for k in all_kelurahan()}
    kec_names = {k.code: k.name for k in all_kecamatan()}
    rows = [
        WorkerLoad(
            wid,
            name,
            wkind,
            kel,
            kel_names.get(kel) if kel else None,
            kec,
            kec_names.get(kec, kec),
            held[wid],
        )
        for wid, name, wkind, kel, kec in tuples(query)
    ]
    rows.sort(key=lambda w: (-w.open_cases, w.kecamatan_code, w.kelurahan_code or "", w.name))
    return rows


def open_by_kelurahan(kecamatan: str | None = None) -> list[KelurahanLoad]:
    """Today's open cases (new ones included) and active PSM of every kelurahan.

    Counted per (status, kelurahan), the order of the index both engines read the open cases
    from, and added up here: grouping by kelurahan alone made SQLite sort them (1M: 39 -> 17 ms;
    PostgreSQL 33 -> 26 ms)."""
    query = (
        Case.select(Case.kelurahan, fn.COUNT(SQL("*")))
        .where(Case.status.in_(OPEN_STATUSES), visible(Case.id))
        .group_by(Case.status, Case.kelurahan)
    )
    open_cases: Counter[str] = Counter()
    for code, n in tuples(query):
        open_cases[code] += int(n)
    psm = active_psm_by_kelurahan(kecamatan)
    return [
        KelurahanLoad(
            k.code, k.name, k.kecamatan_code, k.kecamatan_name, psm[k.code], open_cases[k.code]
        )
        for k in all_kelurahan()
        if not kecamatan or k.kecamatan_code == kecamatan
    ]


def workload(
    kecamatan: str | None = None, threshold: int = 10, most_loaded: int = MOST_LOADED
) -> Workload:
    psm = worker_loads(kecamatan, "psm")
    loads = [w.open_cases for w in psm]
    buckets = [
        LoadBucket(low, high, sum(1 for n in loads if n >= low and (high is None or n <= high)))
        for low, high in LOAD_BUCKETS
    ]
    kelurahan = open_by_kelurahan(kecamatan)
    return Workload(
        threshold=threshold,
        active_psm=len(psm),
        open_cases=sum(loads),
        psm_without_cases=sum(1 for n in loads if n == 0),
        distribution=buckets,
        most_loaded=[w for w in psm[:most_loaded] if w.open_cases],
        kelurahan_without_psm=[k for k in kelurahan if not k.active_psm],
        kelurahan_overloaded=sorted(
            (k for k in kelurahan if k.per_psm is not None and k.per_psm > threshold),
            key=lambda k: (-(k.per_psm or 0), k.code),
        ),
    )
