"""JSON documents of ``psm summary``: the reporting dataclasses as plain, stable keys.

The documents here have keys of their own (``sent`` for ``OpdFigures.total``, ``kecamatan`` for
``kecamatan_name``, counts merged in, ``from``/``to``): a public contract older than the DTOs'
field names. A DTO whose keys are its fields goes through :func:`psm_tui.cli.output.dto_json`."""

from __future__ import annotations

from psm_tui.cli.output import dto_json
from psm_tui.core.labels import OPEN_STATUSES
from psm_tui.core.reports import (
    OpdFigures,
    Overview,
    ReportScope,
    StatusBreakdown,
)
from psm_tui.core.workload import KelurahanLoad, WorkerLoad, Workload


def breakdown_json(row: StatusBreakdown, kelurahan: bool = False) -> dict[str, object]:
    document: dict[str, object] = {"code": row.code, "name": row.name}
    if kelurahan:
        document.update(kecamatan_code=row.kecamatan_code, kecamatan=row.kecamatan_name)
    document.update(row.counts)
    document.update(
        open=row.open,
        total=row.total,
        finished_in_period=row.finished_in_period,
        active_psm=row.active_psm,
    )
    return document


def worker_json(w: WorkerLoad) -> dict[str, object]:
    return {
        "id": w.id,
        "name": w.name,
        "kind": w.kind,
        "kelurahan_code": w.kelurahan_code,
        "kelurahan": w.kelurahan_name,
        "kecamatan_code": w.kecamatan_code,
        "kecamatan": w.kecamatan_name,
        "open_cases": w.open_cases,
    }


def kelurahan_load_json(k: KelurahanLoad) -> dict[str, object]:
    return {
        "code": k.code,
        "name": k.name,
        "kecamatan_code": k.kecamatan_code,
        "kecamatan": k.kecamatan_name,
        "active_psm": k.active_psm,
        "open_cases": k.open_cases,
        "per_psm": k.per_psm,
    }


def workload_json(load: Workload) -> dict[str, object]:
    return {
        "threshold": load.threshold,
        "active_psm": load.active_psm,
        "open_cases": load.open_cases,
        "psm_without_cases": load.psm_without_cases,
        "distribution": [
            {"bucket": b.label, "low": b.low, "high": b.high, "psm": b.workers}
            for b in load.distribution
        ],
        "most_loaded": [worker_json(w) for w in load.most_loaded],
        "kelurahan_without_psm": [kelurahan_load_json(k) for k in load.kelurahan_without_psm],
        "kelurahan_overloaded": [kelurahan_load_json(k) for k in load.kelurahan_overloaded],
    }


def opd_json(o: OpdFigures) -> dict[str, object]:
    return {
        "code": o.code,
        "name": o.name,
        "sent": o.total,
        "open": o.open,
        "overdue": o.overdue,
        "rejected": o.rejected,
        "responded": o.responded,
        "median_days": o.median_days,
    }


def scope_json(scope: ReportScope) -> dict[str, object]:
    return {
        "from": scope.date_from.isoformat() if scope.date_from else None,
        "to": scope.date_to.isoformat() if scope.date_to else None,
        "kecamatan": scope.kecamatan,
    }


def status_json(by_status: dict[str, int]) -> dict[str, object]:
    return {
        **by_status,
        "open": sum(by_status[s] for s in OPEN_STATUSES),
        "total": sum(by_status.values()),
    }


def overview_json(ov: Overview) -> dict[str, object]:
    return {
        "scope": scope_json(ov.scope),
        "today": ov.today.isoformat(),
        "status": status_json(ov.by_status),
        "finished_in_period": ov.finished_in_period,
        "kecamatan": [breakdown_json(k) for k in ov.kecamatan],
        "categories": [dto_json(c) for c in ov.categories],
        "opd": [opd_json(o) for o in ov.opd],
        "workload": workload_json(ov.workload),
        "months": [{"month": m.key, "cases": m.count} for m in ov.months],
    }
