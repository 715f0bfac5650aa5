"""Help: the keys in force on the screen below, generated from its active bindings, plus the
keys a focused widget handles itself (``HELP_KEYS`` of it and its parents: enter on a table)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label, Static

from psm_tui.i18n import N_, _
from psm_tui.tui.compat_textual import textual_text
from psm_tui.tui.keys import TranslatedScreen
from psm_tui.tui.widgets.fitted_table import WHOLE, FittedTable
from psm_tui.tui.widgets.key_footer import KeyFooter


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
            table = FittedTable(cursor_type="row", id="help-keys")
            table.fitted_columns((_("Key"), WHOLE), (_("Does"), 10))
            yield table
            yield Static(
                _(
                    "esc closes this list. In lists: arrows or j/k, PgUp/PgDn, Home/End "
                    "move; enter opens. In dialogs: tab moves between fields, enter goes "
                    "on, ctrl+s saves, escape cancels. ctrl+p finds a case number, a client, "
                    "a kelurahan, a PSM or an action."
                ),
                classes="hint",
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        keys: dict[tuple[str, str], list[str]] = {}
        focused = self.below.focused
        for node in focused.ancestors_with_self if focused is not None else ():
            for key, description in getattr(node, "HELP_KEYS", ()):
                keys.setdefault((key, _(description)), []).append(key)
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
            table.add_row(Text(" / ".join(displays), style="bold"), Text(textual_text(description)))
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
