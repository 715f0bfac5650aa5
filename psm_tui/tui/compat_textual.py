"""Every use of Textual's private attributes, in one place, for the version it was written for.

Textual has no public way to do these few things; anything else in ``psm_tui`` uses public API
only. ``tests/ui/test_compat_textual.py`` fails on any Textual outside :data:`SUPPORTED`, or when
an attribute listed in :data:`PRIVATE` is gone: re-check each function here against the new
release (its changelog, then the attribute's source) before widening the range.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import version

from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.strip import Strip

SUPPORTED = ((8, 2, 8), (8, 3, 0))  # Textual versions checked: from (inclusive), to (exclusive)

# (class, attribute, what relies on it): the test asserts each one still exists.
PRIVATE: tuple[tuple[str, str, str], ...] = (
    (
        "textual.dom:DOMNode",
        "_bindings",
        "rebind_descriptions: a node's own BindingsMap, copied from the class's merged BINDINGS "
        "in DOMNode.__init__ and read by active_bindings / the footer",
    ),
    (
        "textual.screen:Screen",
        "_compositor",
        "screen_strips / full_frame (tests): what the screen shows, as lines or a whole frame",
    ),
    (
        "textual.app:App",
        "_background_screens",
        "full_frame (tests): the screens a dialog overlays, as App._display passes them",
    ),
)


def textual_version() -> tuple[int, ...]:
    return tuple(int(part) for part in version("textual").split(".")[:3])


def rebind_descriptions(node: DOMNode, translate: Callable[[Binding], Binding]) -> None:
    """Replace ``node``'s bindings by ``translate``'d copies.

    Textual reads ``BINDINGS`` once, when the class is created (``DOMNode.__init_subclass__``),
    before the user's language is known, and offers no public way to change a binding's
    description afterwards (``set_keymap`` changes keys only).
    """
    bindings = node._bindings
    node._bindings = BindingsMap.from_keys(
        {key: [translate(b) for b in found] for key, found in bindings.key_to_bindings.items()}
    )


def screen_strips(app: App[object]) -> list[Strip]:
    """The lines the terminal shows now (the top screen with what it overlays)."""
    return list(app.screen._compositor.render_strips())


def full_frame(app: App[object]) -> str:
    """The whole screen as Textual writes it to a terminal (the bytes of a full repaint)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return update.render_segments(app.console)
