"""Fixtures for the Pilot tests: apps on a private copy of the demo database."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from psm_tui.config import load_settings
from psm_tui.core import users
from psm_tui.tui.app import make_app
from psm_tui.tui.application import PsmApp


@pytest.fixture
def demo_app(demo_db: Path) -> Callable[..., PsmApp]:
    """A factory of apps on the demo database for the OS user ``tester`` (an admin)."""

    def build(
        *, poll_seconds: float | None = None, username: str = "tester", remote: bool = False
    ) -> PsmApp:
        """``remote``: the session of a forced SSH command (``psm --as NAME``)."""
        return make_app(
            load_settings(database=str(demo_db)),
            dataclasses.replace(users.actor_for(username), remote=remote),
            poll_seconds=poll_seconds,
        )

    return build
