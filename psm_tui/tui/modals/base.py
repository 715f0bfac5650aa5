"""The frame every dialog shares: a title, a body, an error line, Save/Cancel, escape, ctrl+s.

A dialog saves through a service in a thread worker and dismisses with the service's typed
result, so the caller only ever sees a finished change (or ``None`` when cancelled). Errors a
user can fix stay in the dialog; a stale save closes it and the app offers to reload.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar, TypeVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from psm_tui.core.errors import PsmError, StaleVersionError
from psm_tui.i18n import N_, _
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.keys import TranslatedScreen
from psm_tui.tui.messages import JobFailed, JobResult
from psm_tui.tui.text import content, plain
from psm_tui.tui.widgets.key_footer import KeyFooter

R = TypeVar("R")
SAVE_GROUP = "save"  # the dialog's saves: ctrl+s waits for them


class Dialog(TranslatedScreen, ModalScreen[R]):
    """Subclasses give ``title()``, ``body()`` and ``save()``; enter in a field moves on."""

    class Saved(JobResult):
        """The save's service call finished with ``result``, which the dialog closes with."""

        def __init__(self, result: object) -> None:
            super().__init__()
            self.result = result

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel"),
        Binding("ctrl+s", "save", N_("Save"), id="dialog.save"),
    ]
    SAVE_LABEL = N_("Save")
    # the worker groups whose PsmError is shown in the error line (others go to the app)
    ERROR_LINE_GROUPS: ClassVar[frozenset[str]] = frozenset({SAVE_GROUP})

    def __init__(self) -> None:
        super().__init__()
        self.saving = False

    def heading(self) -> str:
        raise NotImplementedError

    def body(self) -> Iterable[Widget]:
        raise NotImplementedError

    def save(self) -> None:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            # Headings name people and cases: shown literally, never parsed as markup.
            yield Label(content(self.heading(), single_line=True), classes="dialog-title")
            yield from self.body()
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    _(self.SAVE_LABEL) + " (ctrl+s)", id="save", variant="primary", compact=True
                )
                yield Button(_("Cancel") + " (esc)", id="cancel", compact=True)
        # The dialog's own keys at the bottom: the list's footer shows through (no dimming).
        yield KeyFooter()

    def field(self, label: str, widget: Widget, *, id: str | None = None) -> Horizontal:
        """One labelled row of the form."""
        return Horizontal(Label(label, classes="field-label"), widget, classes="field", id=id)

    def show_error(self, message: str) -> None:
        error = self.query_one(".dialog-error", Static)
        error.update(plain(message))
        error.set_class(bool(message), "-shown")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if not self.saving:
            self.save()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; in the last field it saves."""
        event.stop()
        fields = [
            w for w in self.query("Input, Select, TextArea, Checkbox, OptionList") if w.focusable
        ]
        if fields and event.input is fields[-1]:
            self.action_save()
        else:
            self.focus_next()

    def submit(self, job: Callable[[], R]) -> None:
        """Run ``job`` (a service call) in a worker; the dialog closes with its result."""
        self.begin_saving()
        self._save(job)

    def begin_saving(self) -> None:
        """A ``SAVE_GROUP`` worker starts: ctrl+s waits for it; its failure shows here."""
        self.saving = True
        self.show_error("")

    @db_worker(group=SAVE_GROUP, exclusive=True)
    def _save(self, job: Callable[[], R]) -> Saved:
        return self.Saved(job())

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.saving = False
        self.dismiss(cast(R, message.result))  # what submit's job gave

    @on(JobFailed)
    def _failed(self, message: JobFailed) -> None:
        """A failed save: a mistake the user can fix stays in the dialog; a stale save closes
        it (the app then offers to reload); anything else goes on to the app."""
        if message.owner is not self or message.group not in self.ERROR_LINE_GROUPS:
            return
        self.saving = False
        if isinstance(message.error, StaleVersionError):
            message.stop()
            self.dismiss(None)
            self.app.post_message(JobFailed(self, message.error))  # the app offers the reload
        elif isinstance(message.error, PsmError):
            message.stop()
            self.show_error(str(message.error))
