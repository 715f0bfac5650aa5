"""Showing stored text literally: never markup, never raw control characters."""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.content import Content

from psm_tui.core.validation import safe_display
from psm_tui.i18n import format_date


def clean(value: object, *, single_line: bool = False) -> str:
    """``value`` as harmless display text (escape sequences shown as ``\\x1b``)."""
    text = safe_display("" if value is None else str(value))
    if single_line:
        text = " ".join(text.split())
    return text.replace("\t", " ")


def plain(value: object, style: str = "", *, single_line: bool = False) -> Text:
    """A Rich ``Text`` that is never parsed as markup."""
    return Text(clean(value, single_line=single_line), style=style)


def content(value: object, *, single_line: bool = False) -> Content:
    """A Textual ``Content`` that is never parsed as markup."""
    return Content(clean(value, single_line=single_line))


def fit(text: str, width: int) -> str:
    """Exactly ``width`` cells: padded, or cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def day_month(value: dt.date | None) -> str:
    """``27 Nov``: the list's date column (the year is in the case number)."""
    text = format_date(value)
    return text.rsplit(" ", 1)[0] if value else text
