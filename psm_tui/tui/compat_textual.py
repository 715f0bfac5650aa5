"""Every use of Textual's private attributes, in one place, for the version it was written for.

Textual has no public way to do these few things; anything else in ``psm_tui`` uses public API
only. ``tests/ui/test_compat_textual.py`` fails on any Textual outside :data:`SUPPORTED`, or when
an attribute listed in :data:`PRIVATE` is gone: re-check each function here against the new
release (its changelog, then the attribute's source) before widening the range.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import ExitStack
from typing import Any

from rich.align import Align
from rich.text import Text
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.notifications import Notification
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import CellType, RowKey
from textual.widgets.option_list import Option

from psm_tui.i18n import N_, _

SUPPORTED = ((8, 2, 8), (8, 3, 0))  # Textual versions checked: from (inclusive), to (exclusive)

# (class, attribute, what relies on it): the test asserts each one still exists.
PRIVATE: tuple[tuple[str, str, str], ...] = (
    (
        "textual.screen:Screen",
        "_compositor",
        "screen_strips / full_frame (tests): what the screen shows, as lines or a whole frame",
    ),
    (
        "textual.app:App",
        "_background_screens",
        "full_frame (tests): the screens a dialog overlays, as App._display passes them",
    ),
    ("textual.app:App", "_notifications", "notifications (tests): the toasts shown"),
    (
        "textual.app:App",
        "_batch_count",
        "hold_repaints: App.batch_update counts nested batches here and paints when it is back "
        "at 0, whichever callback leaves it (as Textual's own delay_update does)",
    ),
    (
        "textual.widgets:DataTable",
        "_update_dimensions",
        "MeasuredDataTable: measures new rows, overridden to call columns_measured",
    ),
    ("textual.widgets:DataTable", "_clear_caches", "MeasuredDataTable.drop_render_caches"),
    (
        "textual.widgets:DataTable",
        "_require_update_dimensions",
        "MeasuredDataTable.measure_new_rows: set when rows await measuring (on idle)",
    ),
    ("textual.widgets:DataTable", "_new_rows", "MeasuredDataTable.measure_new_rows"),
    (
        "textual.command:CommandPalette",
        "_start_no_matches_countdown",
        "TranslatedCommandPalette: Textual's own, with its 'No matches found' translated",
    ),
    ("textual.command:CommandPalette", "_stop_no_matches_countdown", "TranslatedCommandPalette"),
    ("textual.command:CommandPalette", "_NO_MATCHES", "TranslatedCommandPalette"),
    ("textual.command:CommandPalette", "_NO_MATCHES_COUNTDOWN", "TranslatedCommandPalette"),
    ("textual.command:CommandPalette", "_list_visible", "TranslatedCommandPalette"),
    ("textual.command:CommandPalette", "_no_matches_timer", "TranslatedCommandPalette"),
)

# Every English text Textual itself may show in psm's screens (binding descriptions of its
# widgets, the palette's messages): the one place they are translated. A new Textual text seen
# on screen is added here; tests/ui/test_screens_fit.py fails on these words in Indonesian.
TEXTUAL_TEXTS = frozenset(
    {
        N_("Dismiss menu"),
        N_("Show menu"),
        N_("No matches found"),
        N_("Exit the command palette"),
        N_("Search for commands…"),
    }
)


def textual_text(text: str) -> str:
    """``text`` in the reader's language if it is one of Textual's own; ours are unchanged."""
    return _(text) if text in TEXTUAL_TEXTS else text


class TranslatedCommandPalette(CommandPalette):
    """The palette saying "No matches found" in the reader's language: Textual builds that
    line inside a private method, so the method is Textual 8.2's own with the text translated."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(_("No matches found"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


def textual_version() -> tuple[int, ...]:
    from importlib.metadata import version  # not at start-up: ~15 ms of imports

    return tuple(int(part) for part in version("textual").split(".")[:3])


def screen_strips(app: App[object]) -> list[Strip]:
    """The lines the terminal shows now (the top screen with what it overlays)."""
    return list(app.screen._compositor.render_strips())


def full_frame(app: App[object]) -> str:
    """The whole screen as Textual writes it to a terminal (the bytes of a full repaint)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    frame: str = update.render_segments(app.console)  # type: ignore[union-attr]  # a LayoutUpdate
    return frame


def hold_repaints(app: App[Any]) -> Callable[[], None]:
    """Paint nothing until the returned function is called (once; later calls do nothing).

    ``App.batch_update`` is a context manager, made for one block of code; here it is held open
    across callbacks (the first paint waits for figures that a thread reads), which relies on
    its being a counter (see :data:`PRIVATE`). ``App.delay_update`` holds for a fixed time only.
    """
    hold = ExitStack()
    hold.enter_context(app.batch_update())
    return hold.close


def notifications(app: App[object]) -> list[Notification]:
    """The notifications the app holds now (Textual has no public accessor)."""
    return list(app._notifications)


class MeasuredDataTable(DataTable[CellType]):
    """A DataTable told when it has measured new rows, and able to measure them at once.

    Textual measures added rows on idle in a private method and keeps no public hook for it.
    """

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        self.columns_measured()

    def columns_measured(self) -> None:
        """Called after new rows were measured (and the columns widened to fit them)."""

    def drop_render_caches(self) -> None:
        self._clear_caches()

    def measure_new_rows(self) -> None:
        """Measure the rows just added now, rather than when the table is next idle."""
        if self._require_update_dimensions:
            self._require_update_dimensions = False
            new_rows = self._new_rows.copy()
            self._new_rows.clear()
            self._update_dimensions(new_rows)
