"""The top line: the five views with their keys, and who is working."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from psm_tui.core.dto import Actor
from psm_tui.core.users import role_label
from psm_tui.i18n import _
from psm_tui.tui.text import clean

VIEWS = (
    ("dashboard", "1"),
    ("cases", "2"),
    ("followups", "3"),
    ("workers", "4"),
    ("reports", "5"),
)


def view_title(name: str) -> str:
    return {
        "dashboard": _("Summary"),
        "cases": _("Cases"),
        "followups": _("Follow-ups"),
        "workers": _("PSM"),
        "reports": _("Reports"),
    }[name]


class ViewTabs(Widget):
    """Not focusable: views are switched with 1-5, never with the mouse only. Drawn at paint
    time, at the width it has then (the first screen is not drawn twice)."""

    active: reactive[str] = reactive("dashboard")

    def __init__(self, actor: Actor, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.actor = actor

    def render(self) -> Text:
        return self.render_tabs()

    def render_tabs(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        for name, key in VIEWS:
            label = f" {key} {view_title(name)} "
            line.append(label, style="reverse bold" if name == self.active else "")
        who = f" {clean(self.actor.full_name, single_line=True)} ({role_label(self.actor.role)}) "
        room = self.size.width - line.cell_len
        if room > 8:
            who_text = Text(who, style="dim")
            who_text.truncate(room - 1, overflow="ellipsis")
            line.append(" " * max(1, room - who_text.cell_len))
            line.append_text(who_text)
        return line
