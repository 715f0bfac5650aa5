"""Who is working and with which settings, for any widget of the running app."""

from __future__ import annotations

from textual.dom import DOMNode

from psm_tui.config import Settings
from psm_tui.core.dto import Actor
from psm_tui.core.files.boundary import Boundary, boundary_for


def actor(node: DOMNode) -> Actor:
    return node.app.actor  # type: ignore[attr-defined, no-any-return]


def settings(node: DOMNode) -> Settings:
    return node.app.settings  # type: ignore[attr-defined, no-any-return]


def boundary(node: DOMNode) -> Boundary:
    """The file rules of this session: over SSH, files go to the person's outbox."""
    return boundary_for(settings(node), actor(node))
