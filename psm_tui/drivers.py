"""PostgreSQL's driver, imported only when a ``postgresql://`` database is opened.

Peewee imports every PostgreSQL driver it can find the first time it is imported itself: with
psycopg installed that is ~0.2 s of every ``psm`` start (half of the 0.4 s a ``case show`` may
take), for a driver a SQLite office never uses. So the package hides the drivers from that first
import, and :func:`load_psycopg` hands psycopg to peewee when PostgreSQL is asked for.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

_DRIVERS = ("psycopg", "psycopg2")


def hide_from_peewee() -> None:
    """Run before peewee is first imported (``psm_tui/__init__``)."""
    if "peewee" not in sys.modules:
        for name in _DRIVERS:
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def load_psycopg() -> ModuleType | None:
    """Import psycopg 3 and give it to peewee; ``None`` when it is not installed."""
    for name in _DRIVERS:
        if name in sys.modules and sys.modules[name] is None:
            del sys.modules[name]
    try:
        psycopg = importlib.import_module("psycopg")
        pq = importlib.import_module("psycopg.pq")
        json = importlib.import_module("psycopg.types.json")
    except ImportError:
        return None
    peewee = importlib.import_module("peewee")
    if peewee.psycopg is None:  # peewee was imported while the driver was hidden: what its
        # import would have set (module names and the adapter's class attributes; peewee 4.x)
        status = pq.TransactionStatus
        peewee.psycopg, peewee.TransactionStatus = psycopg, status
        peewee.Json_pg3, peewee.Jsonb_pg3 = json.Json, json.Jsonb
        adapter = peewee.Psycopg3Adapter
        adapter.txn_idle, adapter.txn_inerror = status.IDLE, status.INERROR
        adapter.txn_unknown = status.UNKNOWN
    return psycopg
