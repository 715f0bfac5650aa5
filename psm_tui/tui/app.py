"""Starting the TUI: :func:`make_app` starts reading the first screen's figures, then builds
the app.

Importing Textual and building the screens takes a few hundred milliseconds; the dashboard's
figures are read meanwhile in a thread, so the first paint has them. The app class itself is in
:mod:`psm_tui.tui.application`, imported only after the read has started (nothing here imports
Textual).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from psm_tui.config import Settings
from psm_tui.core import dashboard, session
from psm_tui.core.dto import Actor
from psm_tui.tui.prefetch import Prefetch

if TYPE_CHECKING:
    from psm_tui.tui.application import PsmApp

POLL_SECONDS = 1.5  # how often the poller looks for other sessions' commits


def make_app(
    settings: Settings, actor: Actor, *, poll_seconds: float | None = POLL_SECONDS
) -> PsmApp:
    """The app for ``actor``; opens the database from ``settings`` unless it is open already."""
    if not session.is_open():
        session.open_location(
            settings.database_or_default, group_shared=settings.service_group_mode
        )
    figures = Prefetch(lambda: dashboard.figures(actor))
    from psm_tui.tui.application import PsmApp

    return PsmApp(settings, actor, poll_seconds=poll_seconds, first_figures=figures)
