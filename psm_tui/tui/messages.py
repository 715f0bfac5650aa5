"""Messages the TUI's parts send each other."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode
from textual.message import Message

from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import CaseSummary


class DataChanged(Message):
    """Someone (this process or another) committed to the database."""


class JobDone(Message):
    """A thread worker finished; ``callback(result)`` runs on the event loop."""

    def __init__(
        self, owner: DOMNode, callback: Callable[[Any], object] | None, result: Any
    ) -> None:
        super().__init__()
        self.owner = owner
        self.callback = callback
        self.result = result


class JobFailed(Message):
    """A thread worker raised; ``on_error`` may handle it (returning True), else the app does."""

    def __init__(
        self,
        owner: DOMNode,
        error: BaseException,
        on_error: Callable[[BaseException], bool] | None,
    ) -> None:
        super().__init__()
        self.owner = owner
        self.error = error
        self.on_error = on_error


class ShowCases(Message):
    """Switch to the case list with these filters (from the dashboard, roster or palette)."""

    def __init__(self, filters: CaseFilter, label: str = "") -> None:
        super().__init__()
        self.filters = filters
        self.label = label


class OpenCase(Message):
    """Open the detail screen of one case (``summary``, if known, lets its keys work at once)."""

    def __init__(self, number: str, summary: CaseSummary | None = None) -> None:
        super().__init__()
        self.number = number
        self.summary = summary
