"""SQLite and PostgreSQL side by side: one table of the same measures on the same rows."""

from __future__ import annotations

from collections.abc import Iterator

from bench.stats import Row, _fmt, median


def _keyed(rows: list[Row]) -> Iterator[tuple[tuple[str, str, int], Row]]:
    """Rows by (group, name, occurrence): a name measured twice (two filters) stays two rows."""
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.group, row.name)
        seen[key] = seen.get(key, 0) + 1
        yield (*key, seen[key]), row


def _cells(row: Row | None) -> tuple[str, str, str]:
    if row is None:
        return "", "", ""
    ratio = row.ratio()
    return (
        _fmt(row.value, row.unit),
        _fmt(median(row.floor), "s") if row.floor else "",
        f"{ratio:.2f}×" if ratio is not None else "",
    )


def table(sqlite_rows: list[Row], pg_rows: list[Row], title: str) -> str:
    """measure | SQLite | floor | ×floor | PG | floor | ×floor, then PG ÷ SQLite; the floor is
    each engine's own driver replaying the statements psm sent (sqlite3, psycopg)."""
    pg = dict(_keyed(pg_rows))
    lines = []
    keys = []
    for key, lite in _keyed(sqlite_rows):
        keys.append(key)
        lines.append((lite, pg.get(key)))
    lines += [(None, row) for key, row in pg.items() if key not in keys]
    header = (
        "measure",
        "SQLite",
        "floor",
        "×floor",
        "PG",
        "floor",
        "×floor",
        "PG/SQLite",
        "target",
    )
    header += ("SQLite/PG",)
    cells = []
    for lite, other in lines:
        row = lite or other
        assert row is not None
        name = f"{row.group}: {row.name}" + (f" [{row.note}]" if row.note else "")
        versus = (
            f"{other.value / lite.value:.2f}×"
            if lite is not None and other is not None and lite.value > 0
            else ""
        )
        verdicts = [r.verdict() if r is not None else "-" for r in (lite, other)]
        verdict = "/".join(verdicts) if row.target_text() else ""
        cells.append((name, *_cells(lite), *_cells(other), versus, row.target_text(), verdict))
    widths = [max(len(c) for c in column) for column in zip(header, *cells, strict=True)]
    out = [
        title,
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for line in cells:
        out.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
        )
    out.append(_tally("SQLite", [lite for lite, _ in lines if lite is not None]))
    out[-1] += "; " + _tally("PostgreSQL", [pg for _, pg in lines if pg is not None])
    return "\n".join(out)


def _tally(engine: str, rows: list[Row]) -> str:
    verdicts = [row.verdict() for row in rows]
    return f"{engine}: {verdicts.count('PASS')} PASS, {verdicts.count('MISS')} MISS"


def server_version(url: str) -> str:
    from bench.generate_pg import psycopg

    with psycopg().connect(url) as conn:
        return f"PostgreSQL {conn.execute('SHOW server_version').fetchone()[0]}"
