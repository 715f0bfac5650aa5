"""Help: the keys in force on the screen below, generated from its active bindings."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label, Static

from psm_tui.i18n import _
from psm_tui.tui.keys import N_, TranslatedScreen
from psm_tui.tui.widgets.fitted_table import FittedTable


class HelpScreen(TranslatedScreen, ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", N_("Close"), id="help.close"),
    ]

    def __init__(self, below: Screen[object]) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Label(_("Keys"), classes="dialog-title")
            table: DataTable[Text] = FittedTable(cursor_type="row", id="help-keys")
            table.add_columns(_("Key"), _("Does"))
            yield table
            yield Static(
                _(
                    "In lists: arrows or j/k, PgUp/PgDn, Home/End move; enter opens. In "
                    "dialogs: tab moves between fields, enter goes on, ctrl+s saves, "
                    "escape cancels. ctrl+p finds a case number, a kelurahan, a PSM or an "
                    "action."
                ),
                classes="hint",
            )

    def on_mount(self) -> None:
        keys: dict[tuple[str, str], list[str]] = {}
        for active in self.below.active_bindings.values():
            binding = active.binding
            if not binding.id or not binding.description:
                continue  # Textual's own editing and scrolling keys: see the hint below
            display = self.app.get_key_display(binding)
            shown = keys.setdefault((binding.action, binding.description), [])
            if display not in shown:
                shown.append(display)
        table = self.query_one(DataTable)
        for (_action, description), displays in keys.items():
            table.add_row(Text(" / ".join(displays), style="bold"), Text(description))
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
