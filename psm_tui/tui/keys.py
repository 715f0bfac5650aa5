"""Key bindings whose descriptions are translated when a widget is built, not at import.

Classes are defined when the module is imported, which may happen before the user's language is
chosen; so ``BINDINGS`` carry English message ids marked with :func:`N_`, and every node
translates its own copy of the bindings in ``__init__`` (ids, and so ``App.set_keymap``, keep
working). Textual has no public way to do that: the one private access is in ``compat_textual``.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingType
from textual.dom import DOMNode

from psm_tui.i18n import _
from psm_tui.tui.compat_textual import rebind_descriptions


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated by :func:`translate_bindings`."""
    return message


def translate_bindings(node: DOMNode) -> None:
    """Replace ``node``'s bindings by copies with translated descriptions."""
    rebind_descriptions(
        node,
        lambda b: replace(
            b,
            description=_(b.description) if b.description else "",
            tooltip=_(b.tooltip) if b.tooltip else "",
        ),
    )


class TranslatedBindings:
    """Mixin for widgets and screens: translate the bindings at construction."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)  # type: ignore[arg-type]


def case_action_bindings(*, footer: bool = True) -> list[Binding]:
    """Keys shared by the case list and the case detail (DESIGN section 4); the list, short of
    room at 80 columns, leaves c and p to the help screen."""
    return [
        Binding("a", "assign", N_("Assign"), id="case.assign"),
        Binding("f", "followup", N_("Follow-up"), id="case.followup"),
        Binding("s", "status", N_("Status"), id="case.status"),
        Binding("c", "note", N_("Note"), show=footer, id="case.note"),
        Binding("p", "priority", N_("Priority"), show=footer, id="case.priority"),
    ]


VIEW_BINDINGS: list[BindingType] = [
    Binding("1", "switch_view('dashboard')", N_("Summary"), show=False, id="view.dashboard"),
    Binding("2", "switch_view('cases')", N_("Cases"), show=False, id="view.cases"),
    Binding("3", "switch_view('followups')", N_("Follow-ups"), show=False, id="view.followups"),
    Binding("4", "switch_view('workers')", N_("PSM"), show=False, id="view.workers"),
    Binding("5", "switch_view('reports')", N_("Reports"), show=False, id="view.reports"),
    Binding("q", "app.quit", N_("Quit"), show=False, id="app.quit"),
]
