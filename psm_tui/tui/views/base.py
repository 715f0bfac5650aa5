"""What the five views of the main screen share: shown with ``activate()``, re-read with
``refresh_data()``, and ``stale`` while hidden when the data changed.

A hidden view (or one under a case screen or a dialog) does not read: it is marked stale and
reads when it is shown again, so a commit elsewhere costs one query for the view on screen.
"""

from __future__ import annotations

from textual.containers import Vertical
from textual.widget import Widget


class View(Vertical):
    """Subclasses give ``load()`` (start reading, in a worker) and ``focus_target``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stale = True

    @property
    def focus_target(self) -> Widget:
        """What gets the focus when the view is shown (at once: the next key is for it)."""
        raise NotImplementedError

    def load(self) -> None:
        """Read what the view shows (the view is on screen)."""
        raise NotImplementedError

    def activate(self) -> None:
        """The view is shown: read it if it missed a change, and focus it."""
        if self.stale:
            self.refresh_data()
        self.screen.set_focus(self.focus_target)

    def refresh_data(self) -> None:
        """The data changed: read now if on screen, else when next shown."""
        if not self.display or not self.screen.is_current:
            self.stale = True
            return
        self.stale = False
        self.load()
