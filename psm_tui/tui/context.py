"""Who is working and with which settings, for any widget of the running app."""

from __future__ import annotations

from textual.dom import DOMNode

from psm_tui.config import Settings
from psm_tui.services.dto import Actor


def actor(node: DOMNode) -> Actor:
    return node.app.actor  # type: ignore[attr-defined, no-any-return]


def settings(node: DOMNode) -> Settings:
    return node.app.settings  # type: ignore[attr-defined, no-any-return]
