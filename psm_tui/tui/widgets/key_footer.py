"""The bottom line: as many of the screen's keys as fit whole, the most important first.

Textual's footer lays every shown binding side by side and lets the last ones run under the
docked palette key, so at 80 columns the hints were cut ("? Bantua", "p Priorit") and a letter
was left in the bottom-right cell. Here the hints are chosen before they are drawn: the order of
``BINDINGS`` is their priority, ``?`` (which lists every key of the screen) is always kept, and a
hint that does not fit whole is left to ``?``.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from psm_tui.tui.compat_textual import textual_text

HELP_ID = "app.help"
PALETTE_ID = "app.palette"
GAP = 1  # cells between two hints


class Hint(NamedTuple):
    key: str
    description: str
    pinned: bool = False  # shown whatever the width: the way to every other key

    @property
    def width(self) -> int:
        return cell_len(self.key) + 1 + cell_len(self.description)


def screen_hints(app: App[object], screen: Screen[object]) -> list[Hint]:
    """The screen's footer-worthy keys in priority order; ``?`` then ``ctrl+p`` come last."""
    ranked: list[Binding] = []
    tail: dict[str, Binding] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.id in (HELP_ID, PALETTE_ID):
            tail.setdefault(binding.id, binding)
        elif binding.show and binding.description and binding not in ranked:
            ranked.append(binding)
    seen: set[str] = set()
    hints = []
    for binding in [*ranked, *(tail[i] for i in (HELP_ID, PALETTE_ID) if i in tail)]:
        if binding.action in seen:
            continue  # one action under two keys: one hint
        seen.add(binding.action)
        description = textual_text(binding.description)
        hints.append(Hint(app.get_key_display(binding), description, binding.id == HELP_ID))
    return hints


def fit(hints: list[Hint], width: int) -> list[Hint]:
    """The hints that fit whole in ``width`` cells, in their order: pinned ones first, then by
    rank. Each takes a gap after it, so the last cell of the line stays blank."""
    room = width - sum(h.width + GAP for h in hints if h.pinned)
    chosen = {i for i, h in enumerate(hints) if h.pinned}
    for index, hint in enumerate(hints):
        if not hint.pinned and hint.width + GAP <= room:
            chosen.add(index)
            room -= hint.width + GAP
    return [h for i, h in enumerate(hints) if i in chosen]


class KeyFooter(Widget):
    """Redrawn when the screen's bindings change (focus moved) and when its width changes."""

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        width: 100%;
        background: $footer-background;
        color: $footer-description-foreground;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        text-style: bold;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-footer--key"}

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen[object]) -> None:
        self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        line = Text(no_wrap=True, overflow="crop", end="")
        for index, hint in enumerate(fit(screen_hints(self.app, self.screen), self.size.width)):
            if index:
                line.append(" " * GAP)
            line.append(hint.key, style=key_style)
            line.append(" " + hint.description)
        return line
