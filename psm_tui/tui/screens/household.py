"""A household: the people of one No. KK, one row per member and one per case of theirs, with
what each receives. Enter opens the member or the case; ``n`` adds a family member."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label

from psm_tui.core import households
from psm_tui.core.dto import Actor, ClientRecord, Household
from psm_tui.core.labels import OPEN_STATUSES, status_label
from psm_tui.core.masks import born_text
from psm_tui.core.validation import sex_label
from psm_tui.i18n import N_, _, format_date
from psm_tui.tui.context import actor, psm_app
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.keys import VIEW_BINDINGS, TranslatedScreen
from psm_tui.tui.messages import JobResult, OpenCase
from psm_tui.tui.screens.client import programmes_text
from psm_tui.tui.text import plain
from psm_tui.tui.widgets.fitted_table import FittedTable
from psm_tui.tui.widgets.key_footer import KeyFooter


class HouseholdScreen(TranslatedScreen, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Back"), id="household.back"),
        Binding("n", "add_member", N_("Add member"), id="household.add"),
        *VIEW_BINDINGS,
    ]

    class Read(JobResult):
        def __init__(self, household: Household) -> None:
            super().__init__()
            self.household = household

    def __init__(self, *, kk: str | None = None, client_id: int | None = None) -> None:
        super().__init__()
        self.kk = kk
        self.client_id = client_id
        self.household: Household | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="household"):
            yield Label(_("Household"), id="household-title", classes="section")
            table = FittedTable(cursor_type="row", id="household-rows")
            table.fitted_columns(
                (_("Member / case"), 12), (_("Status"), 10), (_("Programmes / date"), 10)
            )
            yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#household-rows", DataTable).focus()
        self.refresh_data(first=True)

    def refresh_data(self, *, first: bool = False) -> None:
        self._read(actor(self), first=first)

    @db_worker(group="household", exclusive=True)
    def _read(self, who: Actor, *, first: bool) -> Read:
        read = households.view_household if first else households.household
        return self.Read(read(who, self.kk, of_client=self.client_id))

    @on(Read)
    def _show(self, message: Read) -> None:
        self.household = found = message.household
        self.query_one("#household-title", Label).update(
            plain(
                _("Household No. KK {kk}: {n} members").format(kk=found.kk, n=len(found.members)),
                single_line=True,
            )
        )
        table = self.query_one("#household-rows", DataTable)
        row = table.cursor_row
        table.clear()
        for index, member in enumerate(found.members):
            c = member.client
            if c is None:
                table.add_row(
                    Text(_("(a member outside your scope)"), style="dim"),
                    Text(""),
                    Text(""),
                    key=f"hidden:{index}",
                )
                continue
            table.add_row(
                plain(
                    f"{c.name}, {sex_label(c.sex)} {born_text(c.birth_date, c.age)}",
                    single_line=True,
                ),
                Text(""),
                plain(programmes_text(member.enrolments), single_line=True),
                key=f"client:{c.id}",
            )
            for case in member.cases:
                state = _("open") if case.status in OPEN_STATUSES else _("past")
                table.add_row(
                    Text(f"  {case.number} {case.category.name}"),
                    Text(f"{status_label(case.status)} ({state})"),
                    Text(format_date(case.reported_at)),
                    key=f"case:{case.number}",
                )
        table.move_cursor(row=row)

    @on(DataTable.RowSelected, "#household-rows")
    def _open(self, event: DataTable.RowSelected) -> None:
        kind, _sep, value = str(event.row_key.value).partition(":")
        if kind == "case":
            self.post_message(OpenCase(value))
        elif kind == "client":
            from psm_tui.tui.screens.client import ClientScreen

            self.app.push_screen(ClientScreen(int(value)))

    def action_back(self) -> None:
        self.dismiss(None)

    def action_add_member(self) -> None:
        from psm_tui.tui.modals.client import AddMemberDialog

        if self.household is None:
            self.app.notify(_("Still loading."), severity="warning")
            return
        self.app.push_screen(AddMemberDialog(self.kk, self.client_id), self._added)

    def _added(self, record: ClientRecord | None) -> None:
        if record is not None:
            self.app.notify(
                _("{name} added to the household").format(name=record.client.name), markup=False
            )
            self.refresh_data()

    async def action_switch_view(self, name: str) -> None:
        await psm_app(self).switch_view(name)
