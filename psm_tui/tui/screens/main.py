"""The main screen: the five views (keys 1-5), one visible at a time, and the footer.

Only the dashboard is built at start-up: each other view (and its module, with the services it
needs) is imported and mounted the first time it is shown, which keeps the first paint fast.
Switching is awaited, so keys typed right after ``2`` reach the case list, not the dashboard.
"""

from __future__ import annotations

import importlib

from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Footer

from psm_tui.core.case_queries import CaseFilter
from psm_tui.tui.context import actor
from psm_tui.tui.keys import VIEW_BINDINGS, TranslatedScreen
from psm_tui.tui.views.dashboard import DashboardView
from psm_tui.tui.widgets.view_tabs import ViewTabs

# view id -> (module under psm_tui.tui.views, class)
VIEWS = {
    "dashboard": ("dashboard", "DashboardView"),
    "cases": ("cases", "CasesView"),
    "followups": ("followups", "FollowupsView"),
    "workers": ("workers", "WorkersView"),
    "reports": ("laporan", "LaporanView"),
}


def import_views() -> None:
    """Import every view's module (the app does it once the first screen is up)."""
    for module, _class in VIEWS.values():
        importlib.import_module(f"psm_tui.tui.views.{module}")


class MainScreen(TranslatedScreen, Screen[None]):
    """Views may define ``activate()`` (shown) and ``refresh_data()`` (data changed)."""

    BINDINGS = VIEW_BINDINGS

    def compose(self) -> ComposeResult:
        yield ViewTabs(actor(self), id="tabs")
        with ContentSwitcher(initial="dashboard", id="views"):
            yield DashboardView(id="dashboard")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._show("dashboard")

    @property
    def current_view(self) -> Widget:
        switcher = self.query_one(ContentSwitcher)
        return switcher.get_child_by_id(switcher.current or "dashboard")

    def built_view(self, name: str) -> Widget | None:
        """The view ``name`` if it has been shown once."""
        try:
            return self.query_one(ContentSwitcher).get_child_by_id(name)
        except NoMatches:
            return None

    async def view(self, name: str) -> Widget:
        """The view ``name``, built and mounted (hidden) first if needed."""
        built = self.built_view(name)
        if built is not None:
            return built
        module, class_name = VIEWS[name]
        view_class = getattr(importlib.import_module(f"psm_tui.tui.views.{module}"), class_name)
        view: Widget = view_class(id=name)
        view.display = False
        await self.query_one(ContentSwitcher).mount(view)
        return view

    async def switch_view(self, name: str) -> None:
        await self.view(name)
        self._show(name)

    def _show(self, name: str) -> None:
        self.query_one(ContentSwitcher).current = name
        self.query_one(ViewTabs).active = name
        view = self.current_view
        activate = getattr(view, "activate", None)
        if activate is not None:
            activate()
        else:
            focusable = [w for w in view.query("*") if w.focusable]
            self.set_focus(focusable[0] if focusable else None)

    async def action_switch_view(self, name: str) -> None:
        await self.switch_view(name)

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

    async def show_cases(self, filters: CaseFilter, label: str = "") -> None:
        from psm_tui.tui.views.cases import CasesView  # imported by view() already

        view = await self.view("cases")
        assert isinstance(view, CasesView)
        view.show(filters, label)
        self._show("cases")

    async def show_followups(self, scope: str) -> None:
        from psm_tui.tui.views.followups import FollowupsView  # imported by view() already

        view = await self.view("followups")
        assert isinstance(view, FollowupsView)
        view.show_scope(scope)
        self._show("followups")
