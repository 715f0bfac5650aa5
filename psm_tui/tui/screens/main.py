"""The main screen: the five views (keys 1-5), one visible at a time, and the footer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Footer

from psm_tui.services.case_queries import CaseFilter
from psm_tui.tui.context import actor
from psm_tui.tui.keys import VIEW_BINDINGS, TranslatedBindings
from psm_tui.tui.views.cases import CasesView
from psm_tui.tui.views.dashboard import DashboardView
from psm_tui.tui.views.followups import FollowupsView
from psm_tui.tui.views.laporan import LaporanView
from psm_tui.tui.views.workers import WorkersView
from psm_tui.tui.widgets.view_tabs import ViewTabs


class MainScreen(TranslatedBindings, Screen[None]):
    """Views may define ``activate()`` (shown) and ``refresh_data()`` (data changed)."""

    BINDINGS = VIEW_BINDINGS

    def compose(self) -> ComposeResult:
        yield ViewTabs(actor(self), id="tabs")
        with ContentSwitcher(initial="dashboard", id="views"):
            yield DashboardView(id="dashboard")
            yield CasesView(id="cases")
            yield FollowupsView(id="followups")
            yield WorkersView(id="workers")
            yield LaporanView(id="reports")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.switch_view("dashboard")

    @property
    def current_view(self) -> Widget:
        switcher = self.query_one(ContentSwitcher)
        return switcher.get_child_by_id(switcher.current or "dashboard")

    def switch_view(self, name: str) -> None:
        self.query_one(ContentSwitcher).current = name
        self.query_one(ViewTabs).active = name
        self._activate()

    def _activate(self) -> None:
        view = self.current_view
        activate = getattr(view, "activate", None)
        if activate is not None:
            activate()
        else:
            focusable = [w for w in view.query("*") if w.focusable]
            self.set_focus(focusable[0] if focusable else None)

    def action_switch_view(self, name: str) -> None:
        self.switch_view(name)

    def on_screen_resume(self) -> None:
        """Back from a case or a dialog: re-read the view if data changed meanwhile."""
        view = self.current_view
        if getattr(view, "stale", False):
            refresh = getattr(view, "refresh_data", None)
            if refresh is not None:
                refresh()

    def refresh_data(self) -> None:
        for view in self.query_one(ContentSwitcher).children:
            refresh = getattr(view, "refresh_data", None)
            if refresh is not None:
                refresh()

    def show_cases(self, filters: CaseFilter, label: str = "") -> None:
        self.query_one(CasesView).show(filters, label)
        self.switch_view("cases")

    def show_followups(self, scope: str) -> None:
        self.query_one(FollowupsView).show_scope(scope)
        self.switch_view("followups")
