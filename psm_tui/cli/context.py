"""What every subcommand shares: settings, the open database and the acting user."""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from psm_tui.config import Settings
from psm_tui.core import session
from psm_tui.core.dto import Actor
from psm_tui.core.files.boundary import Boundary, boundary_for
from psm_tui.core.setup import check_schema
from psm_tui.core.users import resolve_actor


@dataclass
class CliState:
    settings: Settings
    as_name: str | None = None
    _actor: Actor | None = field(default=None, repr=False)
    _opened: bool = False

    def open(self, *, check: bool = True) -> None:
        if not self._opened:
            session.open_location(
                self.settings.database_or_default, group_shared=self.settings.service_group_mode
            )
            self._opened = True
        if check:
            check_schema()

    def actor(self) -> Actor:
        self.open()
        if self._actor is None:
            self._actor = resolve_actor(self.as_name, self.settings.service_account)
        return self._actor

    def boundary(self) -> Boundary:
        """The file rules for this person: no server paths over SSH (file_boundary)."""
        return boundary_for(self.settings, self.actor())


pass_state = click.make_pass_decorator(CliState)
