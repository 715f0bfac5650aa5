"""Samples, targets and the printed table."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile (with 20 trials: the 19th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def timed(fn: Callable[[], object], trials: int, warmup: int = 1) -> list[float]:
    """Seconds per call over ``trials`` calls, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(trials):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


@dataclass(frozen=True)
class Target:
    """A limit from the issue: on the median (``p95`` also checked when given)."""

    limit: float
    unit: str = "s"  # s, MiB, KiB, B
    p95: float | None = None

    def met(self, row: Row) -> bool:
        if row.value > self.limit:
            return False
        return self.p95 is None or row.p95_value <= self.p95

    def text(self) -> str:
        def one(v: float) -> str:
            return _fmt(v, self.unit)

        return f"≤{one(self.limit)}" + (f" p95≤{one(self.p95)}" if self.p95 is not None else "")


@dataclass
class Row:
    group: str
    name: str
    samples: list[float]
    unit: str = "s"
    floor: list[float] = field(default_factory=list)
    datatable: list[float] = field(default_factory=list)
    target: Target | None = None
    ratio_target: float | None = None  # overhead over the sqlite3 floor
    note: str = ""

    @property
    def value(self) -> float:
        return median(self.samples)

    @property
    def p95_value(self) -> float:
        return p95(self.samples)

    def ratio(self) -> float | None:
        return self.value / median(self.floor) if self.floor else None

    def target_text(self) -> str:
        """The limits this measure is held to: on its time, and on its ×floor."""
        text = self.target.text() if self.target else ""
        if self.ratio_target is not None:
            text += (" " if text else "") + f"≤{self.ratio_target:g}×"
        return text

    def verdict(self) -> str:
        checks = []
        if self.target is not None:
            checks.append(self.target.met(self))
        ratio = self.ratio()
        if self.ratio_target is not None and ratio is not None:
            checks.append(ratio <= self.ratio_target)
        if not checks:
            return ""
        return "PASS" if all(checks) else "MISS"


def _fmt(value: float, unit: str) -> str:
    if math.isnan(value):
        return "-"
    if unit == "s":
        return f"{value * 1000:.1f}ms" if value < 1 else f"{value:.2f}s"
    if unit in ("MiB", "KiB"):
        return f"{value:.1f}{unit}"
    return f"{value:.0f}{unit}"


def table(rows: list[Row], title: str) -> str:
    header = (
        "measure",
        "median",
        "p95",
        "n",
        "sqlite3",
        "×floor",
        "DataTable",
        "×DT",
        "target",
        "",
    )
    lines = []
    for row in rows:
        ratio = row.ratio()
        dt_ratio = row.value / median(row.datatable) if row.datatable else None
        lines.append(
            (
                f"{row.group}: {row.name}" + (f" [{row.note}]" if row.note else ""),
                _fmt(row.value, row.unit),
                _fmt(row.p95_value, row.unit) if len(row.samples) > 1 else "",
                str(len(row.samples)),
                _fmt(median(row.floor), "s") if row.floor else "",
                f"{ratio:.2f}×" if ratio is not None else "",
                _fmt(median(row.datatable), "s") if row.datatable else "",
                f"{dt_ratio:.4f}×" if dt_ratio is not None else "",
                row.target_text(),
                row.verdict(),
            )
        )
    widths = [max(len(str(c)) for c in column) for column in zip(header, *lines, strict=True)]
    out = [
        title,
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for line in lines:
        cells = [
            c.ljust(w) if i == 0 or i >= 8 else c.rjust(w)
            for i, (c, w) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    missed = sum(1 for r in rows if r.verdict() == "MISS")
    passed = sum(1 for r in rows if r.verdict() == "PASS")
    out.append(f"{passed} PASS, {missed} MISS")
    return "\n".join(out)
