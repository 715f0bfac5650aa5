"""A DataTable that fits its width: every column has a minimum, cells and headers end in "…".

Textual sizes a column to its widest cell and cuts what does not fit the screen at the right,
mid-word and with a horizontal scrollbar ("Pe" for "Permintaan", phone numbers cut). Here each
column is declared with the narrowest width it may take; when the table is too wide the widest
shrinkable column gives a cell at a time until it fits, and a cut text ends in an ellipsis.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text, TextType
from textual.geometry import Size
from textual.widgets.data_table import ColumnKey, RowKey

from psm_tui.tui.compat_textual import MeasuredDataTable

WHOLE = None  # a column's minimum: never narrower than its widest cell (numbers, dates, phones)


def ellipsized(value: object) -> Text:
    """``value`` as one line that ends in "…" when its column is too narrow."""
    text = value.copy() if isinstance(value, Text) else Text(str(value))
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def shrink(naturals: list[int], minimums: list[int], excess: int) -> list[int]:
    """Widths whose sum is ``excess`` less than ``naturals``, none below its minimum: the
    widest shrinkable column gives first (the last of equals, the least important)."""
    widths = list(naturals)
    while excess > 0:
        slack = [w - m for w, m in zip(widths, minimums, strict=True)]
        most = max(slack, default=0)
        if most <= 0:
            break
        index = len(slack) - 1 - slack[::-1].index(most)
        widths[index] -= 1
        excess -= 1
    return widths


class FittedTable(MeasuredDataTable[Text]):
    """Declare columns with :meth:`fitted_columns`; rows are added as usual."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.minimums: dict[ColumnKey, int | None] = {}

    def fitted_columns(self, *columns: tuple[str, int | None]) -> list[ColumnKey]:
        """Add ``(label, minimum width)`` columns; :data:`WHOLE` keeps a column whole."""
        keys = []
        for label, minimum in columns:
            key = self.add_column(ellipsized(label))
            self.minimums[key] = minimum
            keys.append(key)
        return keys

    def add_row(
        self,
        *cells: object,
        height: int | None = 1,
        key: str | None = None,
        label: TextType | None = None,
    ) -> RowKey:
        """Every cell one line, ending in "…" when its column is narrower."""
        return super().add_row(*(ellipsized(c) for c in cells), height=height, key=key, label=label)

    def columns_measured(self) -> None:
        """Textual 8.2 may paint rows added by a worker before it widens their columns (it
        measures on idle) and keeps those lines in its render cache ("Kec. Cipondoh" stayed
        "K"): fitting the columns drops the caches, so they repaint at their final width."""
        self.fit_columns()

    def on_resize(self) -> None:
        self.fit_columns()

    def fit_columns(self) -> None:
        columns = list(self.columns.values())
        room = self.size.width - self.styles.scrollbar_size_vertical
        if columns and room > 0:
            pad = 2 * self.cell_padding
            naturals = [c.content_width for c in columns]
            minimums = [
                min(n, self.minimums.get(c.key) or n)
                for c, n in zip(columns, naturals, strict=True)
            ]
            excess = sum(naturals) + pad * len(columns) - room
            for column, width in zip(columns, shrink(naturals, minimums, excess), strict=True):
                column.auto_width = False
                column.width = width
            self.virtual_size = Size(
                sum(c.get_render_width(self) for c in columns), self.virtual_size.height
            )
        self.drop_render_caches()
        self.refresh()

    def fit_now(self) -> None:
        """Measure the rows just added now rather than when the table is next idle, so the next
        paint has the final column widths (one paint instead of a narrow one, then a re-layout
        and a wide one: the dashboard's first screen was sent three times)."""
        self.measure_new_rows()
