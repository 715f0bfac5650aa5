"""Every use of peewee's and psycopg's internals, in one place, for the versions checked.

Peewee imports every PostgreSQL driver it can find when it is first imported, and has no public
way to defer that or to hand it a driver later. Importing psycopg costs ~0.2 s of every ``psm``
start, for a driver a SQLite office never uses, so :func:`hide_drivers` hides the drivers from
that first import and :func:`adopt_psycopg` sets what peewee's import would have set.
``tests/unit/test_compat_peewee.py`` fails on any peewee outside :data:`SUPPORTED` or when a name
in :data:`PRIVATE` is gone: re-check both functions against peewee's ``try: import psycopg``
block and ``Psycopg3Adapter`` before widening the range.
"""

from __future__ import annotations

import sys
from types import ModuleType

SUPPORTED = ((4, 5, 3), (4, 6, 0))  # peewee versions checked: from (inclusive), to (exclusive)
PSYCOPG_SUPPORTED = ((3, 1, 0), (4, 0, 0))  # psycopg 3

DRIVERS = ("psycopg", "psycopg2")
# Module globals of peewee set by its ``import psycopg`` block, then the adapter's constants.
PRIVATE_GLOBALS = ("psycopg", "TransactionStatus", "Json_pg3", "Jsonb_pg3", "Psycopg3Adapter")
PRIVATE_ADAPTER = ("txn_idle", "txn_inerror", "txn_unknown")


def hide_drivers() -> None:
    """Make peewee's first import find no PostgreSQL driver (run before peewee is imported)."""
    if "peewee" not in sys.modules:
        for name in DRIVERS:
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: "not importable"


def unhide_drivers() -> None:
    """Let the hidden drivers be imported again."""
    for name in DRIVERS:
        if name in sys.modules and sys.modules[name] is None:
            del sys.modules[name]


def adopt_psycopg(
    peewee: ModuleType, psycopg: ModuleType, pq: ModuleType, json: ModuleType
) -> None:
    """Set in ``peewee`` what its import sets when psycopg 3 is importable (peewee 4.5)."""
    if peewee.psycopg is not None:
        return  # peewee found it itself (imported while the driver was not hidden)
    status = pq.TransactionStatus
    found = (psycopg, status, json.Json, json.Jsonb)
    for name, value in zip(PRIVATE_GLOBALS[:4], found, strict=True):
        setattr(peewee, name, value)
    adapter = peewee.Psycopg3Adapter
    adapter.txn_idle, adapter.txn_inerror = status.IDLE, status.INERROR
    adapter.txn_unknown = status.UNKNOWN
