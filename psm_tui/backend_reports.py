"""Backend module (dialect-specific SQL allowed here): date arithmetic for the reports.

Counting calendar days between two timestamps has no portable SQL spelling, and doing it in
Python means converting every follow-up's timestamps (seconds on a million cases). So the reports
ask the database for the difference, spelled per backend.
"""

from __future__ import annotations

from peewee import Field, Node, fn

from psm_tui import backend
from psm_tui.database import db


def days_between(start: Field, end: Field) -> Node:
    """Whole calendar days from ``start`` to ``end`` (NULL when either is NULL)."""
    if backend.is_sqlite(db.obj):
        return fn.julianday(fn.date(end)) - fn.julianday(fn.date(start))
    return end.cast("date") - start.cast("date")
