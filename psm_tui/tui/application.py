"""The Textual application: views, dialogs and the shared plumbing (errors, change polling).

Built by :func:`psm_tui.tui.app.make_app`, which starts reading the first screen's figures
before this module (and Textual) is imported.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import ClassVar, Protocol, runtime_checkable

from textual import constants, events, on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.driver import Driver
from textual.widgets import Input

from psm_tui.config import Settings
from psm_tui.core.dashboard import Dashboard
from psm_tui.core.dto import Actor
from psm_tui.core.errors import PsmError, StaleVersionError
from psm_tui.i18n import N_, _
from psm_tui.tui.compat_textual import hold_repaints
from psm_tui.tui.messages import DataChanged, FiguresShown, JobFailed, OpenCase, ShowCases
from psm_tui.tui.poller import DataVersionPoller
from psm_tui.tui.prefetch import Prefetch
from psm_tui.tui.screens.help import HelpScreen
from psm_tui.tui.screens.main import MainScreen, import_views
from psm_tui.tui.terminal import forget_screen

log = logging.getLogger("psm")
FIRST_PAINT_WAIT = 0.5  # seconds the first paint may wait for the dashboard's figures
WARM_UP_AFTER = 1.0  # seconds after the first paint: the imports then wait for no key


@runtime_checkable
class Refreshable(Protocol):
    """A screen that re-reads what it shows when the data changed (the main screen, a case)."""

    def refresh_data(self) -> None: ...


def commands_provider() -> type[Provider]:
    """The palette's provider, imported when the palette first opens (not at start-up)."""
    from psm_tui.tui.commands import PsmCommands

    return PsmCommands


class PsmApp(App[None]):
    """One staff member's session: ``actor`` acts, ``settings`` configure."""

    CSS_PATH = "app.tcss"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {commands_provider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", N_("Help"), id="app.help"),
        Binding(
            "ctrl+p", "command_palette", N_("Commands"), show=False, priority=True, id="app.palette"
        ),
        Binding("ctrl+q", "quit", N_("Quit"), show=False, priority=True, id="app.force_quit"),
        Binding(
            "ctrl+l",
            "repaint",
            N_("Redraw the screen"),
            show=False,
            priority=True,
            id="app.repaint",
        ),
    ]

    def __init__(
        self,
        settings: Settings,
        actor: Actor,
        *,
        poll_seconds: float | None,
        first_figures: Prefetch[Dashboard],
    ) -> None:
        self.settings = settings  # before App.__init__, which asks get_driver_class
        super().__init__()
        self.actor = actor
        self.poll_seconds = poll_seconds
        self.first_figures = first_figures  # the dashboard shows them first
        self._poller: DataVersionPoller | None = None
        self.title = "psm"

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver; on a Linux terminal, writing frames through a screen diff
        (``tui/terminal.py``) unless ``terminal_diff`` is off or ``TEXTUAL_DRIVER`` names one."""
        driver = super().get_driver_class()
        if not self.settings.terminal_diff or constants.DRIVER is not None:
            return driver
        linux = sys.modules.get("textual.drivers.linux_driver")  # imported if Textual chose it
        if linux is not None and driver is linux.LinuxDriver:
            from psm_tui.tui.terminal import diff_driver

            return diff_driver(driver)
        return driver

    def on_mount(self) -> None:
        # The first screen is painted once, with its figures: until they are shown (or for
        # FIRST_PAINT_WAIT at most), nothing is drawn, rather than an empty dashboard that the
        # figures then re-lay out and repaint.
        self._release_first_paint: Callable[[], None] | None = hold_repaints(self)
        self.set_timer(FIRST_PAINT_WAIT, self.first_screen_ready)
        self.push_screen(MainScreen(self.first_figures))
        if self.poll_seconds:
            self._poller = DataVersionPoller(self, self.poll_seconds)
            self._poller.start()

    def first_screen_ready(self) -> None:
        """Paint the first screen now (the dashboard has its figures, or waited long enough)."""
        release, self._release_first_paint = self._release_first_paint, None
        if release is not None:
            release()
            self.screen.refresh()
            self.set_timer(WARM_UP_AFTER, warm_up)

    @on(FiguresShown)
    def _figures_shown(self) -> None:
        self.first_screen_ready()

    def on_unmount(self) -> None:
        if self._poller is not None:
            self._poller.stop()

    async def on_key(self, event: events.Key) -> None:
        """Keys reach the widget focused when they *arrive*: a burst like "/sari" over SSH goes
        to the list before "/" has opened the search box. A printable key that comes back here
        unhandled while a text box has the focus was typed for that box: put it there rather
        than run the list's single-letter bindings ("s" = status) on it."""
        focused = self.focused
        if isinstance(focused, Input) and event.is_printable and event.character:
            focused.insert_text_at_cursor(event.character)
            event.prevent_default()  # Textual then skips App's own key handler (it runs after)

    def on_resize(self) -> None:
        """Runs before Textual lays out again: a resize may have cut or cleared cells."""
        forget_screen(self)

    def action_repaint(self) -> None:
        """``ctrl+l``: send every cell again (after a ``wall`` message, a reattach)."""
        forget_screen(self)
        self.refresh(repaint=True)

    # -- jobs and errors ---------------------------------------------------------------------

    @on(JobFailed)
    def _job_failed(self, message: JobFailed) -> None:
        self.show_error(message.error)

    def show_error(self, error: BaseException) -> None:
        """Every failure ends here: a dialog for a stale save, a notification otherwise."""
        from psm_tui.tui.modals.stale import StaleDialog

        if isinstance(error, StaleVersionError):
            self.push_screen(StaleDialog(error), self._stale_closed)
        elif isinstance(error, PsmError):
            self.notify(str(error), severity="error", markup=False, timeout=8)
        else:
            log.error("internal error", exc_info=error)
            self.notify(
                _("Internal error: {error}").format(error=error),
                severity="error",
                markup=False,
                timeout=10,
            )

    def _stale_closed(self, reload: bool | None) -> None:
        if reload:
            self.refresh_data()

    # -- shared data refresh -----------------------------------------------------------------

    @on(DataChanged)
    def _data_changed(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        """Re-read what every open screen shows, keeping cursors and scroll positions."""
        for screen in self.screen_stack:
            if isinstance(screen, Refreshable):
                screen.refresh_data()

    # -- navigation --------------------------------------------------------------------------

    def main_screen(self) -> MainScreen:
        return next(s for s in self.screen_stack if isinstance(s, MainScreen))

    def back_to_main(self) -> MainScreen:
        """Close everything above the main screen (details, dialogs)."""
        while not isinstance(self.screen, MainScreen) and len(self.screen_stack) > 2:
            self.pop_screen()
        return self.main_screen()

    @on(OpenCase)
    def open_case(self, message: OpenCase) -> None:
        from psm_tui.tui.screens.case_detail import CaseDetailScreen

        self.push_screen(CaseDetailScreen(message.number, message.summary))

    @on(ShowCases)
    async def show_cases(self, message: ShowCases) -> None:
        await self.back_to_main().show_cases(message.filters, message.label)

    async def switch_view(self, name: str) -> None:
        await self.back_to_main().switch_view(name)

    async def run_main_action(self, action: str, view: str = "cases") -> None:
        """Run a view's action from anywhere (the palette): go to the view, then act."""
        main = self.back_to_main()
        await main.switch_view(view)
        self.call_later(main.current_view.run_action, action)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        from psm_tui.tui.commands import PsmPalette

        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(PsmPalette(id="--command-palette"))


def warm_up() -> None:
    """Import the views, every dialog and the case screen once the first screen is up, so the
    first ``2``, ``n`` or ``a`` opens without an import pause."""
    import importlib
    import pkgutil

    from psm_tui.tui import modals

    import_views()
    for module in pkgutil.iter_modules(modals.__path__):
        importlib.import_module(f"{modals.__name__}.{module.name}")
    importlib.import_module("psm_tui.tui.screens.case_detail")
