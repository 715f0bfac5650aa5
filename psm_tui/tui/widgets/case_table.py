"""The case list: a lazy virtual table (Line API) that pages rows from the database.

Only the pages on screen are fetched (``PAGE`` rows each, through a small cache), so the list
opens and scrolls as fast with a million cases as with ten (bench/README.md). A ``DataTable``
would hold and measure every row on the event loop.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from psm_tui.core import case_queries
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import Actor, CaseSummary
from psm_tui.core.labels import PRIORITIES, STATUSES, priority_label, status_label
from psm_tui.i18n import N_, _
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.messages import JobResult
from psm_tui.tui.text import clean, day_month, fit

PAGE = 200
CACHED_PAGES = 20


@dataclass(frozen=True)
class Column:
    key: str
    width: int
    gap: int = 1


FLEX = {"client": (4, 10), "kelurahan": (3, 8), "worker": (3, 8)}  # weight, minimum width
ORDER = (
    "mark",
    "number",
    "date",
    "client",
    "kelurahan",
    "category",
    "priority",
    "status",
    "worker",
    "flag",
)
OPTIONAL = ("date", "category", "priority")  # dropped in this order when short of room


def fixed_widths() -> dict[str, int]:
    return {
        "mark": 1,
        "number": 11,
        "date": max(cell_len(_("Date")), 6),
        "category": 5,
        "priority": max(cell_len(priority_label(p)) for p in PRIORITIES),
        "status": max(cell_len(status_label(s)) for s in STATUSES),
        "flag": 2,
    }


def least_width(keys: list[str], fixed: dict[str, int]) -> int:
    """The narrowest line of these columns: fixed ones whole, flexible ones at their minimum."""
    return sum(fixed[k] if k in fixed else FLEX[k][1] for k in keys) + len(keys) - 2


def shown_keys(width: int, fixed: dict[str, int]) -> list[str]:
    """Every column, less the optional ones that do not fit ``width`` (0: width unknown).
    Short of room (60 columns) they go, rather than the list scrolling sideways with its last
    header cut: the preview line and the case still show them."""
    keys = list(ORDER)
    for optional in OPTIONAL:
        if 0 < width < least_width(keys, fixed):
            keys.remove(optional)
    return keys


def columns(width: int) -> list[Column]:
    """Fixed columns at their natural width; client, kelurahan and PSM share what is left."""
    fixed = fixed_widths()
    order = shown_keys(width, fixed)
    gaps = len(order) - 2  # no gap after the mark
    room = width - sum(fixed[k] for k in order if k in fixed) - gaps
    weights = sum(w for w, _min in FLEX.values())
    sizes = {key: max(minimum, room * weight // weights) for key, (weight, minimum) in FLEX.items()}
    if room > sum(sizes.values()):
        sizes["client"] += room - sum(sizes.values())
    result = []
    for key in order:
        result.append(Column(key, fixed.get(key) or sizes[key], 0 if key == "mark" else 1))
    result[-1] = Column("flag", fixed["flag"], 0)
    return result


def headers() -> dict[str, str]:
    return {
        "mark": "",
        "number": _("Number"),
        "date": _("Date"),
        "client": _("Client"),
        "kelurahan": _("Kelurahan"),
        "category": _("Cat."),
        "priority": _("Prio."),
        "status": _("Status"),
        "worker": _("PSM"),
        "flag": _("FU"),
    }


class CaseTable(ScrollView, can_focus=True):
    """Rows are ``CaseSummary`` pages from ``case_queries.list_cases``; marks are by number."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "case-table--header",
        "case-table--cursor",
        "case-table--marked",
        "case-table--urgent",
        "case-table--high",
        "case-table--overdue",
        "case-table--pending",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1)", N_("Up"), show=False, id="list.up"),
        Binding("down,j", "move(1)", N_("Down"), show=False, id="list.down"),
        Binding("pageup", "page(-1)", N_("Page up"), show=False, id="list.page_up"),
        Binding("pagedown", "page(1)", N_("Page down"), show=False, id="list.page_down"),
        Binding("home", "first", N_("First"), show=False, id="list.first"),
        Binding("end", "last", N_("Last"), show=False, id="list.last"),
        Binding("enter", "open", N_("Details"), show=False, id="list.open"),
        Binding("space", "mark", N_("Mark"), show=False, id="list.mark"),
    ]

    class Highlighted(Message):
        def __init__(self, table: CaseTable, summary: CaseSummary | None) -> None:
            super().__init__()
            self.table = table
            self.summary = summary

    class Selected(Message):
        def __init__(self, table: CaseTable, summary: CaseSummary) -> None:
            super().__init__()
            self.table = table
            self.summary = summary

    class Counted(Message):
        def __init__(self, table: CaseTable, total: int) -> None:
            super().__init__()
            self.table = table
            self.total = total

    class CountRead(JobResult):
        """How many cases the result set of ``generation`` has."""

        def __init__(self, generation: int, total: int) -> None:
            super().__init__()
            self.generation = generation
            self.total = total

    class PageRead(JobResult):
        """Page ``page`` of the result set of ``generation``."""

        def __init__(self, generation: int, page: int, rows: list[CaseSummary]) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.rows = rows

    def __init__(self, actor: Actor, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.actor = actor
        self.filters = CaseFilter()
        self.order = "newest"
        self.row_count = 0
        self.counted = False
        self.cursor = 0
        self.marked: dict[str, CaseSummary] = {}
        self.abbrevs: dict[str, str] = {}
        self._pages: OrderedDict[int, list[CaseSummary]] = OrderedDict()
        self._stale: dict[int, list[CaseSummary]] = {}
        self._pending: set[int] = set()
        self._generation = 0
        self._follow: str | None = None
        self._columns: list[Column] = columns(80)
        self._layout_width = 80

    # -- loading -----------------------------------------------------------------------------

    def load(self, filters: CaseFilter | None = None, order: str | None = None) -> None:
        """Show a new result set from its first row."""
        if filters is not None:
            self.filters = filters
        if order is not None:
            self.order = order
        self.cursor = 0
        self._follow = None
        self._stale = {}
        self._restart()
        self.scroll_to(0, 0, animate=False)

    def reload(self) -> None:
        """Re-read the same result set (someone changed data), keeping the cursor's case."""
        current = self.current()
        self._follow = current.number if current else None
        self._stale = dict(self._pages)
        self._restart()

    def _restart(self) -> None:
        self._generation += 1
        self._pages.clear()
        self._pending.clear()
        self._count(self._generation, self.filters, self.actor)
        self.refresh()

    @db_worker(group="count", exclusive=True)
    def _count(self, generation: int, filters: CaseFilter, actor: Actor) -> CountRead:
        return self.CountRead(generation, case_queries.count_cases(filters, actor))

    @on(CountRead)
    def _counted(self, message: CountRead) -> None:
        if message.generation != self._generation:
            return
        total = message.total
        self.row_count = total
        self.counted = True
        self._update_virtual_size()
        self._set_cursor(self.cursor)
        self.post_message(self.Counted(self, total))

    def _request(self, page: int) -> None:
        if page in self._pending or page in self._pages:
            return
        self._pending.add(page)
        self._read_page(self._generation, page, self.filters, self.order, self.actor)

    @db_worker(group="page")
    def _read_page(
        self, generation: int, page: int, filters: CaseFilter, order: str, actor: Actor
    ) -> PageRead:
        rows = case_queries.list_cases(actor, filters, limit=PAGE, offset=page * PAGE, order=order)
        return self.PageRead(generation, page, rows)

    @on(PageRead)
    def _arrived(self, message: PageRead) -> None:
        if message.generation != self._generation:
            return
        page, rows = message.page, message.rows
        self._pending.discard(page)
        self._pages[page] = rows
        self._stale.pop(page, None)
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        for row in rows:
            if row.number in self.marked:
                self.marked[row.number] = row
        if self.cursor // PAGE == page:
            if self._follow:
                for index, row in enumerate(rows):
                    if row.number == self._follow:
                        self._set_cursor(page * PAGE + index)
                        break
                self._follow = None
            self.post_message(self.Highlighted(self, self.current()))
        self.refresh()

    def row(self, index: int) -> CaseSummary | None:
        """The row at ``index`` if its page is loaded (else its page is requested)."""
        if not 0 <= index < self.row_count:
            return None
        page, offset = divmod(index, PAGE)
        rows = self._pages.get(page)
        if rows is not None:
            self._pages.move_to_end(page)
        else:
            if page not in self._pending:
                self.call_later(self._request, page)
            rows = self._stale.get(page)
        return rows[offset] if rows is not None and offset < len(rows) else None

    def current(self) -> CaseSummary | None:
        return self.row(self.cursor)

    # -- cursor ------------------------------------------------------------------------------

    @property
    def visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _set_cursor(self, index: int) -> None:
        old = self.cursor
        self.cursor = max(0, min(index, self.row_count - 1)) if self.row_count else 0
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
            self.refresh()
        elif self.cursor >= top + self.visible_rows:
            self.scroll_to(y=self.cursor - self.visible_rows + 1, animate=False)
            self.refresh()
        else:
            # Only the two rows that changed: over SSH a full repaint per keystroke is ~12 KB.
            for index in {old, self.cursor}:
                self.refresh_line(index + 1)  # virtual line 0 is the header
        if old != self.cursor:
            self.post_message(self.Highlighted(self, self.current()))

    def action_move(self, step: int) -> None:
        self._set_cursor(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor + direction * self.visible_rows)

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(self.row_count - 1)

    def action_open(self) -> None:
        summary = self.current()
        if summary is not None:
            self.post_message(self.Selected(self, summary))

    def action_mark(self) -> None:
        summary = self.current()
        if summary is None:
            return
        if summary.number in self.marked:
            del self.marked[summary.number]
        else:
            self.marked[summary.number] = summary
        self._set_cursor(self.cursor + 1)
        self.refresh()

    def clear_marks(self) -> None:
        self.marked.clear()
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self._set_cursor(round(self.scroll_y) + event.y - 1)

    # -- rendering ---------------------------------------------------------------------------

    def _update_virtual_size(self) -> None:
        """As wide as the narrowest layout for this width: wider screens stretch the columns in
        render, narrower ones drop the optional columns first."""
        fixed = fixed_widths()
        width = self.scrollable_content_region.width
        minimum = least_width(shown_keys(width, fixed), fixed)
        self.virtual_size = Size(minimum, self.row_count + 1)

    def _layout(self) -> list[Column]:
        width = self.scrollable_content_region.width
        if width != self._layout_width:
            self._layout_width = width
            self._columns = columns(width)
        return self._columns

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._set_cursor(self.cursor)

    def _cells(self, summary: CaseSummary) -> dict[str, tuple[str, str | None]]:
        worker = summary.worker.name if summary.worker else "-"
        flag = ""
        if summary.open_followups:
            flag = str(min(summary.open_followups, 9)) + ("!" if summary.overdue_followups else "")
        priority_style = {"darurat": "case-table--urgent", "tinggi": "case-table--high"}
        return {
            "mark": ("*" if summary.number in self.marked else "", None),
            "number": (summary.number, None),
            "date": (day_month(summary.reported_at), None),
            "client": (clean(summary.client_name, single_line=True), None),
            "kelurahan": (clean(summary.kelurahan.name, single_line=True), None),
            "category": (self.abbrevs.get(summary.category.code, summary.category.code), None),
            "priority": (priority_label(summary.priority), priority_style.get(summary.priority)),
            "status": (status_label(summary.status), None),
            "worker": (clean(worker, single_line=True), None),
            "flag": (flag, "case-table--overdue" if summary.overdue_followups else None),
        }

    def _line(self, cells: Mapping[str, tuple[str, str | None]], style: Style) -> Strip:
        segments = []
        layout = self._layout()
        for column in layout:
            text, component = cells.get(column.key, ("", None))
            cell_style = style + self.get_component_rich_style(component) if component else style
            segments.append(Segment(fit(text, column.width), cell_style))
            if column.gap:
                segments.append(Segment(" " * column.gap, style))
        return Strip(segments, sum(c.width + c.gap for c in layout))

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = {key: (title, None) for key, title in headers().items()}
            strip = self._line(header, base + self.get_component_rich_style("case-table--header"))
            return strip.crop(scroll_x, scroll_x + width)
        index = scroll_y + y - 1
        if index >= self.row_count:
            if index == 0 and self.counted:
                message = _("No cases match. Press x to clear the filters.")
                return Strip([Segment(fit(" " + message, width), base)], width)
            return Strip.blank(width, base)
        style = base
        summary = self.row(index)
        if summary is not None and summary.number in self.marked:
            style = style + self.get_component_rich_style("case-table--marked")
        if index == self.cursor:
            style = style + self.get_component_rich_style("case-table--cursor")
        if summary is None:
            pending = style + self.get_component_rich_style("case-table--pending")
            return self._line({"number": ("…", None)}, pending).crop(scroll_x, scroll_x + width)
        return self._line(self._cells(summary), style).crop(scroll_x, scroll_x + width)
