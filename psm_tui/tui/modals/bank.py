"""Correct a PSM's bank details, where finance transfers the monthly incentive.

The fields start from what the profile shows; an account the reader may only see masked is left
empty (unchanged unless typed). Clearing a field clears the detail. ``workers.edit_worker``
decides who may change them and audits the change with the account masked.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual import on
from textual.widget import Widget

from psm_tui.core import workers
from psm_tui.core.bank import BankDetails, validate_account, validate_bank, validate_holder
from psm_tui.core.dto import WorkerInfo
from psm_tui.i18n import _
from psm_tui.tui.context import actor
from psm_tui.tui.modals.base import Dialog
from psm_tui.tui.widgets.inputs import ServiceValidator, TextInput


class BankDialog(Dialog[WorkerInfo]):
    def __init__(self, worker: WorkerInfo, current: BankDetails) -> None:
        super().__init__()
        self.worker = worker
        self.current = current

    def heading(self) -> str:
        return _("Bank details of {name}").format(name=self.worker.name)

    def body(self) -> Iterable[Widget]:
        yield self.field(
            _("Bank"),
            TextInput(
                self.current.bank or "",
                id="bank",
                placeholder="BJB, Bank DKI…",
                validators=[ServiceValidator(validate_bank)],
                valid_empty=True,
                validate_on=["changed"],
            ),
        )
        yield self.field(
            _("Account number"),
            TextInput(
                "" if self.current.masked else self.current.account or "",
                id="account",
                placeholder=self.current.account if self.current.masked else _("digits"),
                validators=[ServiceValidator(validate_account)],
                valid_empty=True,
                validate_on=["changed"],
            ),
        )
        yield self.field(
            _("Account holder"),
            TextInput(
                self.current.holder or "",
                id="holder",
                validators=[ServiceValidator(validate_holder)],
                valid_empty=True,
                validate_on=["changed"],
            ),
        )

    def on_mount(self) -> None:
        self.query_one("#bank", TextInput).focus()

    @on(TextInput.Changed)
    def _checked(self, event: TextInput.Changed) -> None:
        result = event.validation_result
        failed = result is not None and not result.is_valid
        self.show_error(result.failure_descriptions[0] if failed and result else "")

    def save(self) -> None:
        account = self.query_one("#account", TextInput).value
        holder = self.query_one("#holder", TextInput).value
        self.submit(
            partial(
                workers.edit_worker,
                actor(self),
                self.worker.id,
                bank=self.query_one("#bank", TextInput).value,
                # what the reader could not see, left empty, stays as it is
                account=None if self.current.masked and not account else account,
                holder=None if self.current.masked and not holder else holder,
            )
        )
