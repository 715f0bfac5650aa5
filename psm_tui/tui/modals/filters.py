"""Filter the case list: the choices combine (all must hold)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from textual import on
from textual.widget import Widget
from textual.widgets import Checkbox, Select

from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import KelurahanRef, Ref
from psm_tui.core.labels import (
    OPEN_STATUSES,
    PRIORITIES,
    STATUSES,
    priority_label,
    status_label,
)
from psm_tui.core.reference import all_categories, all_kecamatan, all_kelurahan
from psm_tui.i18n import N_, _
from psm_tui.tui.context import actor
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.messages import JobResult
from psm_tui.tui.modals.base import Dialog
from psm_tui.tui.widgets.inputs import TypeSelect

OPEN = "open"


def _choice(value: object) -> str | None:
    return None if value is Select.NULL or value in ("", None) else str(value)


class FilterDialog(Dialog[CaseFilter]):
    class ListsRead(JobResult):
        """The choices of the kecamatan, kelurahan and category lists."""

        def __init__(
            self, kecamatan: list[Ref], kelurahan: list[KelurahanRef], categories: list[Ref]
        ) -> None:
            super().__init__()
            self.kecamatan = kecamatan
            self.kelurahan = kelurahan
            self.categories = categories

    SAVE_LABEL = N_("Apply")

    def __init__(self, current: CaseFilter) -> None:
        super().__init__()
        self.current = current

    def heading(self) -> str:
        return _("Filter cases")

    def body(self) -> Iterable[Widget]:
        f = self.current
        status = OPEN if f.status == OPEN_STATUSES else (f.status[0] if f.status else Select.NULL)
        statuses = [(_("open (new, assigned, in progress)"), OPEN)] + [
            (status_label(s), s) for s in STATUSES
        ]
        yield self.field(
            _("Status"), TypeSelect(statuses, value=status, prompt=_("any"), id="status")
        )
        yield self.field(_("Kecamatan"), TypeSelect([], prompt=_("any"), id="kecamatan"))
        yield self.field(_("Kelurahan"), TypeSelect([], prompt=_("any"), id="kelurahan"))
        yield self.field(_("Category"), TypeSelect([], prompt=_("any"), id="category"))
        yield self.field(
            _("Priority"),
            TypeSelect(
                [(priority_label(p), p) for p in PRIORITIES],
                prompt=_("any"),
                value=f.priority or Select.NULL,
                id="priority",
            ),
        )
        mine = f.created_by is not None
        yield Checkbox(_("Unassigned only"), f.unassigned, id="unassigned", compact=True)
        yield Checkbox(_("With overdue follow-ups"), f.overdue, id="overdue", compact=True)
        yield Checkbox(_("My queue (cases I registered)"), mine, id="mine", compact=True)
        if f.worker_id is not None:
            yield Checkbox(_("Only the chosen PSM's cases"), True, id="worker", compact=True)

    def on_mount(self) -> None:
        self.query_one("#status", Select).focus()
        self._read_lists()

    @db_worker()
    def _read_lists(self) -> ListsRead:
        return self.ListsRead(all_kecamatan(), all_kelurahan(), all_categories())

    @on(ListsRead)
    def _loaded(self, message: ListsRead) -> None:
        kecamatan, kelurahan, categories = message.kecamatan, message.kelurahan, message.categories
        f = self.current
        self._fill("kecamatan", [(k.name, k.code) for k in kecamatan], f.kecamatan)
        self._fill(
            "kelurahan",
            [(f"{k.name} ({k.kecamatan_name})", k.code) for k in kelurahan],
            f.kelurahan,
        )
        self._fill("category", [(f"{c.code}. {c.name}", c.code) for c in categories], f.category)

    def _fill(self, id: str, options: list[tuple[str, str]], value: str | None) -> None:
        select = self.query_one(f"#{id}", Select)
        select.set_options(options)
        if value is not None:
            select.value = value

    def save(self) -> None:
        status = _choice(self.query_one("#status", Select).value)
        keep_worker = (
            self.current.worker_id is not None and self.query_one("#worker", Checkbox).value
        )
        self.dismiss(
            replace(
                CaseFilter(),
                status=OPEN_STATUSES if status == OPEN else ((status,) if status else ()),
                kecamatan=_choice(self.query_one("#kecamatan", Select).value),
                kelurahan=_choice(self.query_one("#kelurahan", Select).value),
                category=_choice(self.query_one("#category", Select).value),
                priority=_choice(self.query_one("#priority", Select).value),
                unassigned=self.query_one("#unassigned", Checkbox).value,
                overdue=self.query_one("#overdue", Checkbox).value,
                created_by=actor(self).id if self.query_one("#mine", Checkbox).value else None,
                worker_id=self.current.worker_id if keep_worker else None,
                search=self.current.search,
            )
        )
