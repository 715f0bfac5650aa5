"""One case: client and case facts, follow-ups, timeline, assignments and audit history; the
case keys (a f s c p) act on it; l prints a referral letter or the case summary, and
``o`` opens the client's own record."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from psm_tui.core.audit_text import AuditLine
from psm_tui.core.dto import Actor, CaseDetail, CaseSummary
from psm_tui.core.errors import OutOfScope
from psm_tui.core.labels import (
    activity_label,
    dtsen_label,
    followup_status_label,
    priority_label,
    source_label,
    status_label,
)
from psm_tui.core.masks import born_text
from psm_tui.core.outbox import fetch_hint
from psm_tui.core.validation import sex_label
from psm_tui.i18n import N_, _, format_date, format_datetime
from psm_tui.tui.case_actions import CaseActions
from psm_tui.tui.case_record import CaseRecord, read_case
from psm_tui.tui.context import actor, boundary, psm_app
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.keys import VIEW_BINDINGS, TranslatedScreen, case_action_bindings
from psm_tui.tui.messages import JobFailed, JobResult
from psm_tui.tui.text import plain
from psm_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from psm_tui.tui.modals.letter import LetterMade


def section(title: str) -> Text:
    return Text("\n" + title, style="bold underline")


def facts(detail: CaseDetail) -> Table:
    s, c = detail.summary, detail.client
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    born = born_text(c.birth_date, c.age)
    desil = f" (desil {c.dtsen_desil})" if c.dtsen_desil else ""
    rows: list[tuple[str, Text]] = [
        (_("Client"), plain(c.name)),
        ("NIK / KK", plain(f"{c.nik or '-'} / {c.kk or '-'}")),
        (_("Sex, born"), plain(f"{sex_label(c.sex)}, {born}")),
        (_("Address"), plain(f"{c.address or '-'} RT {c.rt or '-'}/RW {c.rw or '-'}")),
        (_("Kelurahan"), plain(s.kelurahan.label)),
        (_("Phone"), plain(c.phone or "-")),
        ("DTSEN", plain(dtsen_label(c.dtsen) + desil)),
        (_("Category"), plain(f"{s.category.code}. {s.category.name}")),
        (_("PSM"), plain(s.worker.name if s.worker else _("unassigned"))),
        (_("Source"), plain(source_label(detail.source))),
        (
            _("Reported"),
            plain(
                f"{format_datetime(s.reported_at)} " + _("by {user}").format(user=detail.created_by)
            ),
        ),
        (
            _("Updated"),
            plain(
                f"{format_datetime(s.updated_at)} " + _("by {user}").format(user=detail.updated_by)
            ),
        ),
        (_("Description"), plain(detail.description or "-")),
    ]
    if detail.outcome:
        rows.append((_("Outcome"), plain(detail.outcome)))
    for label, value in rows:
        grid.add_row(label, value)
    return grid


def followup_table(detail: CaseDetail) -> RenderableType:
    if not detail.followups:
        return Text(_("No follow-ups yet (key f)."), style="dim")
    table = Table(box=None, padding=(0, 1), show_edge=False, expand=True)
    for title in ("ID", "OPD", _("Status"), _("Due")):
        table.add_column(title, no_wrap=True)
    table.add_column(_("Request / response"), overflow="fold", ratio=1)
    for f in detail.followups:
        status = followup_status_label(f.status) + (" !" if f.overdue else "")
        text = plain(f.action)
        if f.response or f.reason:
            text.append(" → ")
            text.append_text(plain(f.response or f.reason))
        table.add_row(
            str(f.id),
            plain(f.opd_name),
            Text(status, style="bold" if f.overdue else ""),
            format_date(f.due_on),
            text,
        )
    return table


def timeline(detail: CaseDetail) -> RenderableType:
    table = Table(box=None, padding=(0, 1), show_edge=False, expand=True)
    for title in (_("When"), _("What"), _("Who")):
        table.add_column(title, no_wrap=True)
    table.add_column(_("Text"), overflow="fold", ratio=1)
    for a in reversed(detail.activities):
        table.add_row(format_datetime(a.at), activity_label(a.kind), plain(a.author), plain(a.text))
    return table


def assignments(detail: CaseDetail) -> RenderableType:
    if not detail.assignments:
        return Text(_("Never assigned (key a)."), style="dim")
    table = Table(box=None, padding=(0, 1), show_edge=False, expand=True)
    for title in (_("From"), _("To")):
        table.add_column(title, no_wrap=True)
    for title in (_("Worker"), _("By"), _("Why")):
        table.add_column(title, overflow="fold", ratio=1)
    for a in reversed(detail.assignments):
        table.add_row(
            format_date(a.assigned_at),
            format_date(a.ended_at) if a.ended_at else _("now"),
            plain(a.worker_name),
            plain(a.assigned_by),
            plain(a.reason),
        )
    return table


def audit_table(lines: list[AuditLine]) -> RenderableType:
    if not lines:
        return Text(_("No audit entries."), style="dim")
    table = Table(box=None, padding=(0, 1), show_edge=False, expand=True)
    for title in (_("When"), _("Who"), _("Action")):
        table.add_column(title, no_wrap=True)
    table.add_column(_("Changes"), overflow="fold", ratio=1)
    for line in reversed(lines):
        e = line.entry
        table.add_row(
            format_datetime(e.at), plain(e.username), plain(line.what), plain(line.changes)
        )
    return table


class CaseDetailScreen(CaseActions, TranslatedScreen, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="detail.back"),
        *case_action_bindings(),
        Binding("l", "letter", N_("Letter"), id="detail.letter"),
        Binding("o", "client", N_("Client"), show=False, id="detail.client"),
        *VIEW_BINDINGS,
    ]

    class Loaded(JobResult):
        def __init__(self, record: CaseRecord) -> None:
            super().__init__()
            self.record = record

    def __init__(self, number: str, summary: CaseSummary | None = None) -> None:
        super().__init__()
        self.number = number
        self.summary = summary
        self.detail: CaseDetail | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(self.number, style="bold"), id="detail-title")
        with VerticalScroll(id="detail-body"):
            yield Static(Text(_("Loading…")), id="detail-content")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#detail-body").focus()
        self.refresh_data()

    def refresh_data(self) -> None:
        self._read(actor(self), first=self.detail is None)

    @db_worker(group="detail", exclusive=True)
    def _read(self, who: Actor, *, first: bool) -> Loaded:
        return self.Loaded(read_case(who, self.number, first=first))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self._show(message.record)

    @on(JobFailed)
    def _refused(self, message: JobFailed) -> None:
        """A case outside the user's kecamatan: offer akses darurat (a reason, audited)."""
        if message.owner is not self or self.detail is not None:
            return
        if isinstance(message.error, OutOfScope):
            from psm_tui.tui.modals.emergency import EmergencyDialog

            message.stop()
            self.app.push_screen(EmergencyDialog(self.number, str(message.error)), self._granted)

    def _granted(self, loaded: CaseRecord | None) -> None:
        if loaded is None:
            self.dismiss(None)
        else:
            self._show(loaded)

    def _show(self, record: CaseRecord) -> None:
        self.detail, lines = record.detail, record.audit
        s = self.summary = self.detail.summary
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append(f" {s.number} ", style="reverse bold")
        title.append(" " + status_label(s.status), style="bold")
        title.append(" · " + _("priority {p}").format(p=priority_label(s.priority)))
        if s.overdue_followups:
            title.append(
                " · " + _("{n} overdue follow-ups").format(n=s.overdue_followups), style="bold"
            )
        title.append(" · v" + str(s.version), style="dim")
        self.query_one("#detail-title", Static).update(title)
        body = Group(
            facts(self.detail),
            section(_("Follow-ups")),
            followup_table(self.detail),
            section(_("Timeline (newest first)")),
            timeline(self.detail),
            section(_("Assignments")),
            assignments(self.detail),
            section(_("Audit history")),
            audit_table(lines),
        )
        self.query_one("#detail-content", Static).update(body)

    def selected_case(self) -> CaseSummary | None:
        return self.summary

    def after_change(self, number: str | None = None) -> None:
        self.refresh_data()

    def action_letter(self) -> None:
        """Print a referral letter or the case summary (numbered, audited)."""
        if self.detail is None:
            return
        from psm_tui.tui.modals.letter import LetterDialog

        self.app.push_screen(LetterDialog(self.detail), self._printed)

    def _printed(self, result: LetterMade | None) -> None:
        if result is not None:
            message = _("Letter {number} written to {file}").format(
                number=result.number, file=result.output
            )
            if boundary(self).remote:
                message += ". " + fetch_hint(result.output.removeprefix("outbox/"))
            self.app.notify(message, markup=False, timeout=12)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_client(self) -> None:
        """The client's record: every case of theirs, their household and programmes."""
        from psm_tui.tui.screens.client import ClientScreen

        if self.detail is None:
            self.app.notify(_("Still loading."), severity="warning")
            return
        self.app.push_screen(ClientScreen(self.detail.client.id))

    async def action_switch_view(self, name: str) -> None:
        await psm_app(self).switch_view(name)
