"""Fixtures for the Pilot tests: apps on a private copy of the demo database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from psm_tui.config import load_settings
from psm_tui.services import users
from psm_tui.tui.app import PsmApp, make_app


@pytest.fixture
def demo_app(demo_db: Path) -> Callable[..., PsmApp]:
    """A factory of apps on the demo database for the OS user ``tester`` (an admin)."""

    def build(*, poll_seconds: float | None = None, username: str = "tester") -> PsmApp:
        return make_app(
            load_settings(database=str(demo_db)),
            users.actor_for(username),
            poll_seconds=poll_seconds,
        )

    return build
