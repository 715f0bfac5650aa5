"""The period and kecamatan of the Laporan view's figures (key p there)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial

from textual import on
from textual.widget import Widget
from textual.widgets import Select

from psm_tui.core import reports
from psm_tui.core.dto import Ref
from psm_tui.core.reports import Period, ReportScope
from psm_tui.i18n import N_, _
from psm_tui.tui.modals.base import Dialog
from psm_tui.tui.widgets.inputs import TextInput


class ScopeDialog(Dialog[ReportScope]):
    """Choose the period (a preset or two dates) and the kecamatan of the figures."""

    SAVE_LABEL = N_("Apply")

    def __init__(self, scope: ReportScope, kecamatan: list[Ref]) -> None:
        super().__init__()
        self.scope = scope
        self.kecamatan = kecamatan
        self.presets: list[Period] = reports.period_presets()

    def heading(self) -> str:
        return _("Period and kecamatan of the figures")

    def body(self) -> Iterable[Widget]:
        current = next(
            (
                p.key
                for p in self.presets
                if (p.date_from, p.date_to) == (self.scope.date_from, self.scope.date_to)
            ),
            "custom",
        )
        choices = [(p.label, p.key) for p in self.presets] + [(_("Other dates"), "custom")]
        yield self.field(
            _("Period"),
            Select(choices, value=current, allow_blank=False, id="period", compact=True),
        )
        yield self.field(
            _("From"), TextInput(_iso(self.scope.date_from), id="from", placeholder="YYYY-MM-DD")
        )
        yield self.field(
            _("To"), TextInput(_iso(self.scope.date_to), id="to", placeholder="YYYY-MM-DD")
        )
        yield self.field(
            _("Kecamatan"),
            Select(
                [(k.name, k.code) for k in self.kecamatan],
                prompt=_("the whole city"),
                value=self.scope.kecamatan or Select.NULL,
                id="kecamatan",
                compact=True,
            ),
        )

    def on_mount(self) -> None:
        self.query_one("#period", Select).focus()

    @on(Select.Changed, "#period")
    def _preset(self, event: Select.Changed) -> None:
        preset = next((p for p in self.presets if p.key == event.value), None)
        if preset is not None:
            self.query_one("#from", TextInput).value = _iso(preset.date_from)
            self.query_one("#to", TextInput).value = _iso(preset.date_to)

    def save(self) -> None:
        kecamatan = self.query_one("#kecamatan", Select).value
        self.submit(
            partial(
                reports.make_scope,
                self.query_one("#from", TextInput).value,
                self.query_one("#to", TextInput).value,
                None if kecamatan is Select.NULL else str(kecamatan),
            )
        )


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""
