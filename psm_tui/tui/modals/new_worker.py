"""Add a PSM (to a kelurahan) or a TKSK (to a kecamatan) to the roster."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual import on
from textual.widget import Widget
from textual.widgets import Select

from psm_tui.core import workers
from psm_tui.core.dto import Ref, WorkerInfo
from psm_tui.core.reference import all_kecamatan
from psm_tui.core.validation import validate_name, validate_nik, validate_phone
from psm_tui.i18n import N_, _
from psm_tui.tui.context import actor
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.messages import JobResult
from psm_tui.tui.modals.base import Dialog
from psm_tui.tui.widgets.inputs import ServiceValidator, TextInput, TypeSelect
from psm_tui.tui.widgets.kelurahan_picker import KelurahanPicker


class NewWorkerDialog(Dialog[WorkerInfo]):
    SAVE_LABEL = N_("Add")

    class KecamatanRead(JobResult):
        def __init__(self, kecamatan: list[Ref]) -> None:
            super().__init__()
            self.kecamatan = kecamatan

    def heading(self) -> str:
        return _("New PSM or TKSK")

    def body(self) -> Iterable[Widget]:
        yield self.field(
            _("Kind"),
            TypeSelect(
                [("PSM", "psm"), ("TKSK", "tksk")], value="psm", allow_blank=False, id="kind"
            ),
        )
        yield self.field(
            _("Name"),
            TextInput(
                id="name", validators=[ServiceValidator(validate_name)], validate_on=["changed"]
            ),
        )
        yield self.field(_("Kelurahan"), KelurahanPicker(id="kelurahan"), id="kelurahan-row")
        kecamatan = TypeSelect([], prompt=_("the TKSK's kecamatan"), id="kecamatan")
        yield self.field(_("Kecamatan"), kecamatan, id="kecamatan-row")
        yield self.field(
            "NIK",
            TextInput(
                id="nik",
                placeholder=_("16 digits, optional"),
                validators=[ServiceValidator(validate_nik)],
                valid_empty=True,
                validate_on=["changed"],
            ),
        )
        yield self.field(
            _("Phone"),
            TextInput(
                id="phone",
                placeholder="08…",
                validators=[ServiceValidator(validate_phone)],
                valid_empty=True,
                validate_on=["changed"],
            ),
        )

    def on_mount(self) -> None:
        self.query_one("#kecamatan-row").display = False
        self.query_one("#name", TextInput).focus()
        self._read_kecamatan()

    @db_worker()
    def _read_kecamatan(self) -> KecamatanRead:
        return self.KecamatanRead(all_kecamatan())

    @on(KecamatanRead)
    def _kecamatan(self, message: KecamatanRead) -> None:
        choices = [(k.name, k.code) for k in message.kecamatan]
        self.query_one("#kecamatan", Select).set_options(choices)

    @on(Select.Changed, "#kind")
    def _kind(self, event: Select.Changed) -> None:
        tksk = event.value == "tksk"
        self.query_one("#kelurahan-row").display = not tksk
        self.query_one("#kecamatan-row").display = tksk

    @on(TextInput.Changed)
    def _checked(self, event: TextInput.Changed) -> None:
        result = event.validation_result
        failed = result is not None and not result.is_valid
        self.show_error(result.failure_descriptions[0] if failed and result else "")

    def save(self) -> None:
        kind = str(self.query_one("#kind", Select).value)
        kelurahan = self.query_one(KelurahanPicker).value
        kecamatan = self.query_one("#kecamatan", Select).value
        if kind == "psm" and kelurahan is None:
            self.show_error(_("Pick the kelurahan from the list (type part of its name)."))
            return
        if kind == "tksk" and kecamatan is Select.NULL:
            self.show_error(_("Choose the kecamatan."))
            return
        self.submit(
            partial(
                workers.add_worker,
                actor(self),
                kind=kind,
                name=self.query_one("#name", TextInput).value,
                kelurahan=kelurahan.code if kind == "psm" and kelurahan else None,
                kecamatan=str(kecamatan) if kind == "tksk" else None,
                nik=self.query_one("#nik", TextInput).value or None,
                phone=self.query_one("#phone", TextInput).value or None,
            )
        )
