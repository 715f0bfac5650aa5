"""A DataTable whose auto-width columns repaint once they have grown to fit new rows."""

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
