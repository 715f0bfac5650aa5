"""psm-tui: case management for Dinas Sosial Kota Tangerang and its PSM."""

__version__ = "0.1.0"
