"""Small read-only lookups the TUI needs for pickers and the command palette."""

from __future__ import annotations

from functools import lru_cache

from psm_tui.core.case_queries import CaseFilter, list_cases
from psm_tui.core.dto import Actor, CaseSummary, KelurahanRef, WorkerInfo
from psm_tui.core.pending_imports import visible
from psm_tui.core.reference import all_kelurahan, fold
from psm_tui.core.workers import WorkerFilter, list_workers
from psm_tui.store.models import Case, Category


@lru_cache(maxsize=1)
def _category_abbrevs() -> tuple[tuple[str, str], ...]:
    return tuple((str(c.code), c.abbrev) for c in Category.select().order_by(Category.code))


def category_abbrevs() -> dict[str, str]:
    """PPKS code -> abbreviation (``8`` -> ``LUT``): reference data, read once."""
    abbrevs = dict(_category_abbrevs())
    if not abbrevs:
        _category_abbrevs.cache_clear()
    return abbrevs


def match_kelurahan(
    text: str, options: list[KelurahanRef] | None = None, limit: int = 8
) -> list[KelurahanRef]:
    """Kelurahan whose name (or kecamatan's name) holds ``text``; names starting with it first.

    Pass ``options`` (from :func:`all_kelurahan`) to match without touching the database.
    """
    wanted = fold(text)
    if not wanted:
        return []
    starts: list[KelurahanRef] = []
    inside: list[KelurahanRef] = []
    by_kecamatan: list[KelurahanRef] = []
    for ref in all_kelurahan() if options is None else options:
        name = fold(ref.name)
        if name.startswith(wanted):
            starts.append(ref)
        elif wanted in name:
            inside.append(ref)
        elif wanted in fold(ref.kecamatan_name):
            by_kecamatan.append(ref)
    return (starts + inside + by_kecamatan)[:limit]


def search_workers(text: str, limit: int = 20) -> list[WorkerInfo]:
    """Active and inactive workers whose name holds ``text``."""
    if not text.strip():
        return []
    return list_workers(WorkerFilter(active=None, search=text))[:limit]


def cases_of_client(actor: Actor, text: str, limit: int = 8) -> list[CaseSummary]:
    """The newest cases, among those ``actor`` may read, of clients whose name holds ``text``
    (the palette finds a person by name; a description that mentions it does not count)."""
    wanted = fold(text)
    if len(wanted) < 3:
        return []
    found = list_cases(actor, CaseFilter(search=text), limit=limit * 4)
    return [c for c in found if wanted in fold(c.client_name)][:limit]


def case_numbers_like(prefix: str, limit: int = 10) -> list[str]:
    """Case numbers starting with ``prefix`` (``2026-0001`` -> ``2026-000100`` ...)."""
    prefix = prefix.strip()
    if not prefix:
        return []
    query = Case.select(Case.number).where(Case.number.startswith(prefix), visible(Case.id))
    return [row.number for row in query.order_by(Case.number.desc()).limit(limit)]


def cases_numbered(serial: int, limit: int = 10) -> list[str]:
    """Cases whose per-year serial is ``serial`` (``123`` -> ``2026-000123``, ``2025-000123``)."""
    if not 0 < serial < 1_000_000:
        return []
    query = Case.select(Case.number).where(Case.number.endswith(f"-{serial:06d}"), visible(Case.id))
    return [row.number for row in query.order_by(Case.number.desc()).limit(limit)]
