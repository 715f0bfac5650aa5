"""The current time, in one place so tests and the demo generator can move it."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def today() -> dt.date:
    return now().date()
