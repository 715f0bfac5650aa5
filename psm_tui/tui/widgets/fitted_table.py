"""A DataTable whose auto-width columns repaint once they have grown to fit new rows, and can
measure new rows at once."""

from __future__ import annotations

from rich.text import Text

from psm_tui.tui.compat_textual import MeasuredDataTable


class FittedTable(MeasuredDataTable[Text]):
    """Textual 8.2 may paint rows added by a worker before it widens their columns (it measures
    on idle) and then keeps those truncated lines in its render cache: "Kec. Cipondoh" stayed
    "K". Dropping the caches after the columns are measured repaints them at their real width.
    """

    def columns_measured(self) -> None:
        self.drop_render_caches()

    def fit_now(self) -> None:
        """Measure the rows just added now rather than when the table is next idle, so the next
        paint has the final column widths (one paint instead of a narrow one, then a re-layout
        and a wide one: the dashboard's first screen was sent three times)."""
        self.measure_new_rows()
