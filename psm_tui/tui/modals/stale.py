"""Someone saved the case first: say who and when, and offer to reload (never overwrite)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from psm_tui.core.errors import StaleVersionError
from psm_tui.i18n import N_, _, format_datetime
from psm_tui.tui.keys import TranslatedScreen
from psm_tui.tui.text import plain


class StaleDialog(TranslatedScreen, ModalScreen[bool]):
    """Dismisses True to reload."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Close"), id="stale.close"),
        Binding("r", "reload", N_("Reload"), id="stale.reload"),
    ]

    def __init__(self, error: StaleVersionError) -> None:
        super().__init__()
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog stale-dialog"):
            yield Label(_("Not saved: the case changed meanwhile"), classes="dialog-title")
            # Said once: who, when, and what to do (the error's own sentence says the same).
            yield Static(
                plain(
                    _(
                        "{who} changed it at {when} (now version {version}). Nothing was "
                        "overwritten: reload to see their change, then try again."
                    ).format(
                        who=self.error.changed_by,
                        when=format_datetime(self.error.changed_at),
                        version=self.error.version,
                    )
                ),
                classes="stale-message",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Reload") + " (r)", id="reload", variant="primary", compact=True)
                yield Button(_("Close") + " (esc)", id="close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#reload", Button).focus()

    def action_reload(self) -> None:
        self.dismiss(True)

    def action_close(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#reload")
    def _reload(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(False)
