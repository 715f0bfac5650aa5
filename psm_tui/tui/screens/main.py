"""The main screen: the five views (keys 1-5), one visible at a time, and the footer.

Only the dashboard is built at start-up: each other view (and its module, with the services it
needs) is imported and mounted the first time it is shown, which keeps the first paint fast.
Switching is awaited, so keys typed right after ``2`` reach the case list, not the dashboard.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import ContentSwitcher

from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dashboard import Dashboard
from psm_tui.tui.context import actor
from psm_tui.tui.keys import VIEW_BINDINGS, TranslatedScreen
from psm_tui.tui.prefetch import Prefetch
from psm_tui.tui.views.base import View
from psm_tui.tui.views.dashboard import DashboardView
from psm_tui.tui.widgets.key_footer import KeyFooter
from psm_tui.tui.widgets.view_tabs import ViewTabs

V = TypeVar("V", bound=View)


def _cases() -> type[View]:
    from psm_tui.tui.views.cases import CasesView

    return CasesView


def _followups() -> type[View]:
    from psm_tui.tui.views.followups import FollowupsView

    return FollowupsView


def _workers() -> type[View]:
    from psm_tui.tui.views.workers import WorkersView

    return WorkersView


def _reports() -> type[View]:
    from psm_tui.tui.views.laporan import LaporanView

    return LaporanView


# view id (key 1-5) -> its class, imported when first asked for
VIEWS: dict[str, Callable[[], type[View]]] = {
    "dashboard": lambda: DashboardView,
    "cases": _cases,
    "followups": _followups,
    "workers": _workers,
    "reports": _reports,
}


def import_views() -> None:
    """Import every view's module (the app does it once the first screen is up)."""
    for view_class in VIEWS.values():
        view_class()


class MainScreen(TranslatedScreen, Screen[None]):
    """The five views; ``first_figures`` are the dashboard's, read since start-up."""

    BINDINGS = VIEW_BINDINGS

    def __init__(self, first_figures: Prefetch[Dashboard] | None = None) -> None:
        super().__init__()
        self.first_figures = first_figures

    def compose(self) -> ComposeResult:
        yield ViewTabs(actor(self), id="tabs")
        with ContentSwitcher(initial="dashboard", id="views"):
            yield DashboardView(self.first_figures, id="dashboard")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show("dashboard")

    @property
    def current_view(self) -> View:
        switcher = self.query_one(ContentSwitcher)
        return switcher.get_child_by_id(switcher.current or "dashboard", View)

    def built_view(self, name: str) -> View | None:
        """The view ``name`` if it has been shown once."""
        try:
            return self.query_one(ContentSwitcher).get_child_by_id(name, View)
        except NoMatches:
            return None

    async def view(self, name: str, kind: type[V]) -> V:
        """The view ``name`` (a ``kind``), built and mounted (hidden) first if needed."""
        view = self.built_view(name)
        if view is None:
            view = VIEWS[name]()(id=name)
            view.display = False
            await self.query_one(ContentSwitcher).mount(view)
        if not isinstance(view, kind):
            raise TypeError(f"view {name} is a {type(view).__name__}, not a {kind.__name__}")
        return view

    async def switch_view(self, name: str) -> None:
        await self.view(name, View)
        self._show(name)

    def _show(self, name: str) -> None:
        self.query_one(ContentSwitcher).current = name
        self.query_one(ViewTabs).active = name
        self.current_view.activate()

    async def action_switch_view(self, name: str) -> None:
        await self.switch_view(name)

    def on_screen_resume(self) -> None:
        """Back from a case or a dialog: re-read the view if data changed meanwhile."""
        view = self.current_view
        if view.stale:
            view.refresh_data()

    def refresh_data(self) -> None:
        for view in self.query_one(ContentSwitcher).query_children(View):
            view.refresh_data()

    async def show_cases(self, filters: CaseFilter, label: str = "") -> None:
        from psm_tui.tui.views.cases import CasesView

        view = await self.view("cases", CasesView)
        view.show(filters, label)
        self._show("cases")

    async def show_followups(self, scope: str) -> None:
        from psm_tui.tui.views.followups import FollowupsView

        view = await self.view("followups", FollowupsView)
        view.show_scope(scope)
        self._show("followups")
