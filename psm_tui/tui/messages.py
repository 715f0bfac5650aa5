"""Messages the TUI's parts send each other."""

from __future__ import annotations

from textual.dom import DOMNode
from textual.message import Message

from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import CaseSummary


class DataChanged(Message):
    """Someone (this process or another) committed to the database."""


class FiguresShown(Message):
    """The dashboard shows its figures: the first paint, held until then, may go."""


class JobResult(Message, bubble=False):
    """What a thread worker read or wrote, for the widget that started it (see ``tui/jobs.py``);
    each subclass names one result and carries it typed."""


class JobFailed(Message):
    """A thread worker of ``owner`` (in worker ``group``) raised: bubbles up to the app, which
    shows ``error``, unless a screen on the way (a dialog showing it in its error line) stops
    it."""

    def __init__(self, owner: DOMNode, error: BaseException, group: str = "") -> None:
        super().__init__()
        self.owner = owner
        self.error = error
        self.group = group


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
