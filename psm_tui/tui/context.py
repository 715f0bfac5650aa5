"""Who is working and with which settings, for any widget of the running app."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.dom import DOMNode

from psm_tui.config import Settings
from psm_tui.core.dto import Actor
from psm_tui.core.files.boundary import Boundary, boundary_for

if TYPE_CHECKING:
    from psm_tui.tui.application import PsmApp


def psm_app(node: DOMNode) -> PsmApp:
    """The running app as psm's own (Textual types ``node.app`` as any ``App``; a test may host
    a widget in a smaller app with the same attributes)."""
    return cast("PsmApp", node.app)


def actor(node: DOMNode) -> Actor:
    return psm_app(node).actor


def settings(node: DOMNode) -> Settings:
    return psm_app(node).settings


def boundary(node: DOMNode) -> Boundary:
    """The file rules of this session: over SSH, files go to the person's outbox."""
    return boundary_for(settings(node), actor(node))
