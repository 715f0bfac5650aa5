"""One client: who they are, their DTSEN status and programmes, and every case of theirs the
user may see (enter opens one). ``e`` corrects the record, ``h`` opens the household of the
No. KK, ``g`` records a programme, ``m`` merges a duplicate record into this one."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from psm_tui.core import clients
from psm_tui.core.dto import Actor, ClientInfo, ClientRecord, EnrolmentInfo, MergeResult
from psm_tui.core.labels import dtsen_label, status_label
from psm_tui.core.masks import born_text
from psm_tui.core.programmes import enrolment_status_label
from psm_tui.core.validation import sex_label
from psm_tui.i18n import N_, _, format_date, ngettext
from psm_tui.tui.context import actor, psm_app
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.keys import VIEW_BINDINGS, TranslatedScreen
from psm_tui.tui.messages import JobResult, OpenCase
from psm_tui.tui.text import clean, plain
from psm_tui.tui.widgets.fitted_table import WHOLE, FittedTable
from psm_tui.tui.widgets.key_footer import KeyFooter


def programmes_text(enrolments: list[EnrolmentInfo]) -> str:
    """``PBI-JK aktif sejak 2026-01-02, PKH diusulkan``: what the person receives, newest first."""
    parts = []
    for e in enrolments:
        since = " " + _("since {date}").format(date=format_date(e.start_on)) if e.start_on else ""
        parts.append(f"{e.programme.code} {enrolment_status_label(e.status)}{since}")
    return ", ".join(parts) or _("none recorded (key g)")


def client_lines(c: ClientInfo, enrolments: list[EnrolmentInfo]) -> Text:
    """The record as plain lines, one fact each (stored text never becomes markup)."""
    desil = f", desil {c.dtsen_desil}" if c.dtsen_desil else ""
    source = (
        " · " + _("{source} on {date}").format(source=c.dtsen_source, date=format_date(c.dtsen_on))
        if c.dtsen_source
        else ""
    )
    lines = [
        f"NIK {c.nik or '-'} · KK {c.kk or '-'} · {sex_label(c.sex)}, "
        + born_text(c.birth_date, c.age),
        f"{c.address or '-'} RT {c.rt or '-'}/RW {c.rw or '-'}, "
        + (c.kelurahan.label if c.kelurahan else "-"),
        _("Phone") + f" {c.phone or '-'} · DTSEN {dtsen_label(c.dtsen)}{desil}{source}",
        _("Programmes") + ": " + programmes_text(enrolments),
    ]
    return Text(
        "\n".join(clean(line, single_line=True) for line in lines),
        no_wrap=True,
        overflow="ellipsis",
    )


class ClientScreen(TranslatedScreen, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="client.back"),
        Binding("e", "edit", N_("Correct"), id="client.edit"),
        Binding("h", "household", N_("Household"), id="client.household"),
        Binding("g", "enrol", N_("Programme"), id="client.enrol"),
        Binding("m", "merge", N_("Merge"), id="client.merge"),
        *VIEW_BINDINGS,
    ]

    class Read(JobResult):
        def __init__(self, record: ClientRecord) -> None:
            super().__init__()
            self.record = record

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id
        self.record: ClientRecord | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="client"):
            yield Label("", id="client-title", classes="section")
            yield Static(Text(_("Loading…")), id="client-lines")
            yield Label(_("Cases (enter opens)"), classes="section")
            table = FittedTable(cursor_type="row", id="client-cases")
            table.fitted_columns(
                (_("Number"), WHOLE),
                (_("Date"), WHOLE),
                (_("Status"), WHOLE),
                (_("Category"), 8),
                (_("Kelurahan"), 8),
            )
            yield table
            yield Static("", id="client-hidden")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#client-cases", DataTable).focus()
        self.refresh_data(first=True)

    def refresh_data(self, *, first: bool = False) -> None:
        self._read(actor(self), first=first)

    @db_worker(group="client", exclusive=True)
    def _read(self, who: Actor, *, first: bool) -> Read:
        read = clients.view_client if first else clients.client_record
        return self.Read(read(who, self.client_id))

    @on(Read)
    def _show(self, message: Read) -> None:
        self.record = record = message.record
        c = record.client
        self.query_one("#client-title", Label).update(
            plain(f"{c.name} (ID {c.id}) · v{c.version}", single_line=True)
        )
        self.query_one("#client-lines", Static).update(client_lines(c, record.enrolments))
        table = self.query_one("#client-cases", DataTable)
        row = table.cursor_row
        table.clear()
        for case in record.cases:
            table.add_row(
                Text(case.number),
                Text(format_date(case.reported_at)),
                Text(status_label(case.status)),
                plain(case.category.name, single_line=True),
                plain(case.kelurahan.name, single_line=True),
                key=case.number,
            )
        table.move_cursor(row=row)
        hidden = record.hidden_cases
        self.query_one("#client-hidden", Static).update(
            ngettext(
                "{n} more case outside your scope", "{n} more cases outside your scope", hidden
            ).format(n=hidden)
            if hidden
            else ""
        )

    @on(DataTable.RowSelected, "#client-cases")
    def _open_case(self, event: DataTable.RowSelected) -> None:
        self.post_message(OpenCase(str(event.row_key.value)))

    def _loaded(self) -> ClientRecord | None:
        if self.record is None:
            self.app.notify(_("Still loading."), severity="warning")
        return self.record

    def action_back(self) -> None:
        self.dismiss(None)

    def action_edit(self) -> None:
        from psm_tui.tui.modals.client import ClientEditDialog

        if (record := self._loaded()) is not None:
            self.app.push_screen(ClientEditDialog(record.client), self._changed)

    def action_enrol(self) -> None:
        from psm_tui.tui.modals.client import EnrolDialog

        if (record := self._loaded()) is not None:
            self.app.push_screen(EnrolDialog(record.client), self._changed)

    def action_merge(self) -> None:
        from psm_tui.tui.modals.client import MergeDialog

        if (record := self._loaded()) is not None:
            self.app.push_screen(MergeDialog(record.client), self._merged)

    def action_household(self) -> None:
        from psm_tui.tui.screens.household import HouseholdScreen

        record = self._loaded()
        if record is None:
            return
        if record.client.kk is None or "*" in record.client.kk:
            # a masked No. KK cannot be looked up by the reader: the core finds it by client
            self.app.push_screen(HouseholdScreen(client_id=record.client.id))
        else:
            self.app.push_screen(HouseholdScreen(kk=record.client.kk))

    def _changed(self, result: object) -> None:
        if result is not None:
            self.app.notify(_("Saved."))
            self.refresh_data()

    def _merged(self, result: MergeResult | None) -> None:
        if result is None:
            return
        kept = sum(1 for who in result.kept_from.values() if who == result.merged_id)
        self.app.notify(
            _("Record {drop} merged here: {cases} case(s) moved, {fields} field(s) taken").format(
                drop=result.merged_id, cases=len(result.moved_cases), fields=kept
            )
        )
        self.refresh_data()

    async def action_switch_view(self, name: str) -> None:
        await psm_app(self).switch_view(name)
