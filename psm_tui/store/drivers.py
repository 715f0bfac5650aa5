"""PostgreSQL's driver, imported only when a ``postgresql://`` database is opened.

Importing psycopg is ~0.2 s of every ``psm`` start (half of the 0.4 s a ``case show`` may take),
for a driver a SQLite office never uses; peewee would import it at its own first import. So the
package hides the drivers from that import, and :func:`load_psycopg` hands psycopg to peewee when
PostgreSQL is asked for. How, with peewee's internals, is in :mod:`psm_tui.store.compat_peewee`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from psm_tui.store import compat_peewee


def hide_from_peewee() -> None:
    """Run before peewee is first imported (``psm_tui/__init__``)."""
    compat_peewee.hide_drivers()


def load_psycopg() -> ModuleType | None:
    """Import psycopg 3 and give it to peewee; ``None`` when it is not installed."""
    compat_peewee.unhide_drivers()
    try:
        psycopg = importlib.import_module("psycopg")
        pq = importlib.import_module("psycopg.pq")
        json = importlib.import_module("psycopg.types.json")
    except ImportError:
        return None
    compat_peewee.adopt_psycopg(importlib.import_module("peewee"), psycopg, pq, json)
    return psycopg
