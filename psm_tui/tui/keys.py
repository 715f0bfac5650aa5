"""Key bindings whose descriptions are shown in the reader's language.

Classes are defined when their module is imported, which may happen before the user's language
is chosen; so ``BINDINGS`` carry English message ids marked with :func:`N_`, and are translated
when they are shown. Everything Textual shows of a binding (the footer, the key panel, psm's
help screen) is read from the public ``Screen.active_bindings``, which :class:`TranslatedScreen`
answers with translated copies: ids, and so ``App.set_keymap``, keep working, and a binding of
the app or of any widget on the screen is covered.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual.binding import ActiveBinding, Binding, BindingType

from psm_tui.i18n import N_, _

if TYPE_CHECKING:
    from textual.screen import Screen

    _ScreenMixin = Screen[Any]
else:
    _ScreenMixin = object  # see TranslatedScreen


def translated(binding: Binding) -> Binding:
    """``binding`` with its description and tooltip in the current language."""
    return replace(
        binding,
        description=_(binding.description) if binding.description else "",
        tooltip=_(binding.tooltip) if binding.tooltip else "",
    )


class TranslatedScreen(_ScreenMixin):
    """Mixin for a screen whose bindings (its own, its widgets', the app's) are described
    translated: ``class Help(TranslatedScreen, ModalScreen[None])``.

    A plain class at run time, not a ``Screen``: Textual takes a node's CSS (and its CSS type
    names) from the chain of *first* bases that are DOM nodes, which would skip ``ModalScreen``.
    """

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return {
            key: ActiveBinding(
                active.node,
                translated(active.binding),
                active.enabled,
                _(active.tooltip) if active.tooltip else "",
            )
            for key, active in super().active_bindings.items()
        }


def case_action_bindings() -> list[Binding]:
    """Keys shared by the case list and the case detail (a key does the same on both), most
    used first: the footer drops the last ones when short of room (they stay in the help screen)."""
    return [
        Binding("a", "assign", N_("Assign"), id="case.assign"),
        Binding("f", "followup", N_("Follow-up"), id="case.followup"),
        Binding("s", "status", N_("Status"), id="case.status"),
        Binding("c", "note", N_("Note"), id="case.note"),
        Binding("p", "priority", N_("Priority"), id="case.priority"),
    ]


VIEW_BINDINGS: list[BindingType] = [
    Binding("1", "switch_view('dashboard')", N_("Summary"), show=False, id="view.dashboard"),
    Binding("2", "switch_view('cases')", N_("Cases"), show=False, id="view.cases"),
    Binding("3", "switch_view('followups')", N_("Follow-ups"), show=False, id="view.followups"),
    Binding("4", "switch_view('workers')", N_("PSM"), show=False, id="view.workers"),
    Binding("5", "switch_view('reports')", N_("Reports"), show=False, id="view.reports"),
    Binding("q", "app.quit", N_("Quit"), show=False, id="app.quit"),
]
