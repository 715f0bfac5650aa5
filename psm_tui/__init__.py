"""psm-tui: case management for Dinas Sosial Kota Tangerang and its PSM."""

from psm_tui.store import drivers

drivers.hide_from_peewee()

__version__ = "0.1.0"
