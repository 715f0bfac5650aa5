"""A DataTable whose auto-width columns repaint once they have grown to fit new rows, and can
measure new rows at once."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class FittedTable(DataTable):  # type: ignore[type-arg]
    """Textual 8.2 may paint rows added by a worker before it widens their columns (it measures
    on idle) and then keeps those truncated lines in its render cache: "Kec. Cipondoh" stayed
    "K". Dropping the caches after the columns are measured repaints them at their real width.
    """

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        self._clear_caches()

    def fit_now(self) -> None:
        """Measure the rows just added now rather than when the table is next idle, so the next
        paint has the final column widths (one paint instead of a narrow one, then a re-layout
        and a wide one: the dashboard's first screen was sent three times)."""
        if self._require_update_dimensions:
            self._require_update_dimensions = False
            new_rows = self._new_rows.copy()
            self._new_rows.clear()
            self._update_dimensions(new_rows)
