"""A one-line status text (filter line, preview line) that repaints only when it changes."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class OneLine(Static):
    """``show(text)`` is called on every cursor move: an unchanged line costs nothing, a changed
    one is repainted without a layout pass (the line's size never changes)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.text = Text()

    def show(self, text: Text) -> None:
        if text != self.text:
            self.text = text
            self.update(text, layout=False)
