"""Dialogs of the client record: correct it, record a programme, merge a duplicate into it,
and add a family member to a household."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual import on
from textual.widget import Widget
from textual.widgets import OptionList, Select, Static
from textual.widgets.option_list import Option

from psm_tui.core import cases, clients, households, programmes
from psm_tui.core.dto import (
    Actor,
    ClientInfo,
    ClientRecord,
    DuplicateHint,
    EnrolmentInfo,
    MergeResult,
    Ref,
)
from psm_tui.core.labels import DTSEN_STATUSES
from psm_tui.core.programmes import ENROLMENT_STATUSES, enrolment_status_label
from psm_tui.i18n import _
from psm_tui.tui.context import actor
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.messages import JobResult
from psm_tui.tui.modals.base import Dialog
from psm_tui.tui.text import plain
from psm_tui.tui.widgets.inputs import TextInput, TypeSelect

# What the form corrects; NIK and birth date stay with intake and the CLI (``psm client edit``).
EDITABLE = ("name", "phone", "address", "rt", "rw", "kk", "dtsen_desil")


def field_labels() -> dict[str, str]:
    return {
        "name": _("Name"),
        "phone": _("Phone"),
        "address": _("Address"),
        "rt": "RT",
        "rw": "RW",
        "kk": "No. KK",
        "dtsen_desil": "Desil",
    }


class ClientEditDialog(Dialog[ClientRecord]):
    """Correct a client's record; only the fields changed are saved (and audited)."""

    def __init__(self, client: ClientInfo) -> None:
        super().__init__()
        self.client = client

    def heading(self) -> str:
        return _("Correct client {name}").format(name=self.client.name)

    def _value(self, field: str) -> str:
        value = getattr(self.client, field)
        return "" if value is None else str(value)

    def body(self) -> Iterable[Widget]:
        labels = field_labels()
        for field in EDITABLE:
            yield self.field(labels[field], TextInput(self._value(field), id=f"edit-{field}"))
        yield self.field(
            "DTSEN",
            TypeSelect(
                [(status.replace("_", " "), status) for status in DTSEN_STATUSES],
                value=self.client.dtsen,
                allow_blank=False,
                id="edit-dtsen",
            ),
        )

    def on_mount(self) -> None:
        self.query_one("#edit-phone", TextInput).focus()

    def save(self) -> None:
        changes: dict[str, object] = {}
        for field in EDITABLE:
            value = self.query_one(f"#edit-{field}", TextInput).value
            if value.strip() != self._value(field):
                changes[field] = value
        dtsen = self.query_one("#edit-dtsen", Select).value
        if dtsen != self.client.dtsen:
            changes["dtsen"] = dtsen
        if not changes:
            self.dismiss(None)
            return
        self.submit(
            partial(
                clients.edit_client,
                actor(self),
                self.client.id,
                changes,
                expected_version=self.client.version,
            )
        )


class EnrolDialog(Dialog[EnrolmentInfo]):
    """Record a programme the client is proposed for, receives, or no longer receives."""

    class ProgrammesRead(JobResult):
        def __init__(self, programmes: list[Ref]) -> None:
            super().__init__()
            self.programmes = programmes

    def __init__(self, client: ClientInfo) -> None:
        super().__init__()
        self.client = client

    def heading(self) -> str:
        return _("Programme of {name}").format(name=self.client.name)

    def body(self) -> Iterable[Widget]:
        yield self.field(
            _("Programme"), TypeSelect([], prompt=_("choose the programme"), id="programme")
        )
        yield self.field(
            _("Status"),
            TypeSelect(
                [(enrolment_status_label(s), s) for s in ENROLMENT_STATUSES],
                value="aktif",
                allow_blank=False,
                id="status",
            ),
        )
        yield self.field(_("From"), TextInput(id="start", placeholder="YYYY-MM-DD"))
        yield self.field(_("To"), TextInput(id="end", placeholder="YYYY-MM-DD"))
        yield self.field(
            _("Source"), TextInput(id="source", placeholder=_("e.g. DTSEN, BPJS card, OPD letter"))
        )

    def on_mount(self) -> None:
        self._read()

    @db_worker()
    def _read(self) -> ProgrammesRead:
        return self.ProgrammesRead(programmes.all_programmes())

    @on(ProgrammesRead)
    def _programmes(self, message: ProgrammesRead) -> None:
        select = self.query_one("#programme", Select)
        select.set_options([(f"{p.code}: {p.name}", p.code) for p in message.programmes])
        select.focus()

    def save(self) -> None:
        programme = self.query_one("#programme", Select).value
        if programme is Select.NULL:
            self.show_error(_("Choose the programme."))
            return
        self.submit(
            partial(
                programmes.enrol,
                actor(self),
                self.client.id,
                str(programme),
                status=str(self.query_one("#status", Select).value),
                start_on=self.query_one("#start", TextInput).value or None,
                end_on=self.query_one("#end", TextInput).value or None,
                source=self.query_one("#source", TextInput).value,
            )
        )


class MergeDialog(Dialog[MergeResult]):
    """Choose the duplicate record (same NIK, No. KK or a similar name) to merge into this one:
    its cases move here, its values fill this record's blanks, and it is removed."""

    SAVE_LABEL = "Merge"

    class Found(JobResult):
        def __init__(self, hints: list[DuplicateHint]) -> None:
            super().__init__()
            self.hints = hints

    def __init__(self, client: ClientInfo) -> None:
        super().__init__()
        self.client = client
        self.hints: list[DuplicateHint] = []

    def heading(self) -> str:
        return _("Merge a duplicate into {name} (ID {id})").format(
            name=self.client.name, id=self.client.id
        )

    def body(self) -> Iterable[Widget]:
        yield Static(
            _("This record's values are kept; the other's fill its blanks."),
            classes="dialog-summary",
        )
        yield self.field(_("Duplicate"), OptionList(id="duplicates"))

    def on_mount(self) -> None:
        self._find(actor(self), self.client.id)

    @db_worker()
    def _find(self, who: Actor, client_id: int) -> Found:
        return self.Found(cases.duplicates_of(who, client_id))

    @on(Found)
    def _found(self, message: Found) -> None:
        self.hints = message.hints
        options = self.query_one("#duplicates", OptionList)
        options.add_options(
            [
                Option(
                    plain(f"{h.client_id}: {h.name} ({h.nik or '-'}), {h.kelurahan}: {h.reason}")
                )
                for h in self.hints
            ]
        )
        if self.hints:
            options.highlighted = 0
            options.focus()
        else:
            self.show_error(_("No possible duplicate found."))

    @on(OptionList.OptionSelected, "#duplicates")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_save()

    def save(self) -> None:
        index = self.query_one("#duplicates", OptionList).highlighted
        if index is None or not self.hints:
            return
        self.submit(
            partial(
                clients.merge_clients,
                actor(self),
                self.client.id,
                self.hints[index].client_id,
                keep_version=self.client.version,
            )
        )


class AddMemberDialog(Dialog[ClientRecord]):
    """A family member of the household: same No. KK and address."""

    def __init__(self, kk: str | None, client_id: int | None) -> None:
        super().__init__()
        self.kk = kk
        self.client_id = client_id

    def heading(self) -> str:
        return _("Add a family member")

    def body(self) -> Iterable[Widget]:
        yield self.field(_("Name"), TextInput(id="member-name"))
        yield self.field("NIK", TextInput(id="member-nik", placeholder=_("16 digits, if known")))
        yield self.field(_("Sex"), TextInput(id="member-sex", placeholder="L/P"))
        yield self.field(_("Born"), TextInput(id="member-born", placeholder="YYYY-MM-DD"))
        yield self.field(_("Phone"), TextInput(id="member-phone"))

    def on_mount(self) -> None:
        self.query_one("#member-name", TextInput).focus()

    def save(self) -> None:
        def value(name: str) -> str | None:
            return self.query_one(f"#member-{name}", TextInput).value or None

        self.submit(
            partial(
                households.add_member,
                actor(self),
                self.kk,
                of_client=self.client_id,
                name=value("name") or "",
                nik=value("nik"),
                sex=value("sex"),
                birth_date=value("born"),
                phone=value("phone"),
            )
        )
