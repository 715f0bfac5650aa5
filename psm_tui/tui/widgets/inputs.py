"""Inputs used across the dialogs: no blinking cursor (it costs ~2 KB/s over SSH forever), and
validation by the same service functions the CLI uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Select, TextArea

from psm_tui.core.errors import ValidationError


class TextInput(Input):
    """A compact ``Input`` with a steady cursor."""

    def __init__(self, value: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(value, **kwargs)

    def on_mount(self) -> None:
        self.cursor_blink = False


class TextBox(TextArea):
    """A multi-line text field with a steady cursor."""

    def on_mount(self) -> None:
        self.cursor_blink = False


class TypeSelect(Select[str]):
    """A compact ``Select`` that opens and searches as soon as one types on it: people type a
    category's name without first pressing enter to open the list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(*args, **kwargs)

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        return character is not None and character.isprintable() and not character.isspace()

    def on_key(self, event: events.Key) -> None:
        """Open the list and hand it the key (and any typed before the list took focus)."""
        if not self.check_consume_key(event.key, event.character):
            return
        event.stop()
        event.prevent_default()
        if not self.expanded:
            self.action_show_overlay()
        self.query_one("SelectOverlay").post_message(events.Key(event.key, event.character))


class ServiceValidator(Validator):
    """Runs a ``services.validation`` function; its ``ValidationError`` message is the failure."""

    def __init__(self, check: Callable[[str], object]) -> None:
        super().__init__()
        self.check = check

    def validate(self, value: str) -> ValidationResult:
        try:
            self.check(value)
        except ValidationError as error:
            return self.failure(str(error))
        return self.success()
