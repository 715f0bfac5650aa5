"""Pick a kelurahan by typing part of its name: matches appear below, none highlighted; down and
up highlight one, enter takes it. Only a single match is taken without being highlighted (typing
"Poris Plawad" lists "Poris Plawad" and "Poris Plawad Utara": one down must not pick the second).

Two kelurahan share names with kecamatan ("Jatiuwung"), so choices always read
"Kel. X, Kec. Y".
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from psm_tui.core.dto import KelurahanRef
from psm_tui.core.lookup import match_kelurahan
from psm_tui.core.reference import all_kelurahan
from psm_tui.i18n import N_, _
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.messages import JobResult
from psm_tui.tui.widgets.inputs import TextInput


class PickerInput(TextInput):
    """Up and down move through the matches while the cursor stays in the text."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "step(1)", N_("Next match"), show=False, id="picker.next"),
        Binding("up", "step(-1)", N_("Previous match"), show=False, id="picker.previous"),
    ]

    def action_step(self, step: int) -> None:
        picker = self.parent
        if isinstance(picker, KelurahanPicker):
            picker.step(step)


class KelurahanPicker(Vertical):
    DEFAULT_CSS = """
    KelurahanPicker { height: auto; }
    KelurahanPicker > OptionList { max-height: 5; display: none; }
    KelurahanPicker.-matching > OptionList { display: block; }
    """

    class Picked(Message):
        def __init__(self, picker: KelurahanPicker, value: KelurahanRef) -> None:
            super().__init__()
            self.picker = picker
            self.value = value

    class Read(JobResult):
        def __init__(self, options: list[KelurahanRef]) -> None:
            super().__init__()
            self.options = options

    def __init__(self, *, id: str | None = None, value: KelurahanRef | None = None) -> None:
        super().__init__(id=id)
        self.value = value
        self.options: list[KelurahanRef] = []
        self.matches: list[KelurahanRef] = []

    def compose(self) -> ComposeResult:
        yield PickerInput(
            self.value.label if self.value else "", placeholder=_("type part of the kelurahan name")
        )
        option_list = OptionList()
        option_list.can_focus = False
        yield option_list

    def on_mount(self) -> None:
        self._read()

    @db_worker()
    def _read(self) -> Read:
        return self.Read(all_kelurahan())

    @on(Read)
    def _loaded(self, message: Read) -> None:
        self.options = message.options
        if self.value is None:
            self._match(self.query_one(PickerInput).value)

    @property
    def input(self) -> PickerInput:
        return self.query_one(PickerInput)

    def focus(self, scroll_visible: bool = True) -> KelurahanPicker:
        self.input.focus(scroll_visible)
        return self

    def _match(self, text: str) -> None:
        self.matches = match_kelurahan(text, self.options, limit=20) if text.strip() else []
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options([Option(Text(ref.label)) for ref in self.matches])
        option_list.highlighted = None
        self.set_class(bool(self.matches), "-matching")

    @on(PickerInput.Changed)
    def _changed(self, event: PickerInput.Changed) -> None:
        event.stop()
        if self.value is not None and event.value == self.value.label:
            return
        self.value = None
        self._match(event.value)

    def step(self, step: int) -> None:
        option_list = self.query_one(OptionList)
        if self.matches:
            current = option_list.highlighted
            first = 0 if step > 0 else len(self.matches) - 1
            wanted = first if current is None else current + step
            option_list.highlighted = max(0, min(len(self.matches) - 1, wanted))

    def pick(self, index: int | None = None) -> KelurahanRef | None:
        """Take ``index``, else the highlighted match, else the only one; the text then shows
        its full label. With several matches and none highlighted nothing is taken."""
        option_list = self.query_one(OptionList)
        index = option_list.highlighted if index is None else index
        if index is None and len(self.matches) == 1:
            index = 0
        if index is None or not 0 <= index < len(self.matches):
            return self.value
        self.value = self.matches[index]
        self.input.value = self.value.label
        self.matches = []
        self.set_class(False, "-matching")
        self.post_message(self.Picked(self, self.value))
        return self.value

    @on(PickerInput.Submitted)
    def _submitted(self, event: PickerInput.Submitted) -> None:
        if self.matches:
            event.stop()
            self.pick()

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.pick(event.option_index)

    @on(PickerInput.Blurred)
    def _left(self) -> None:
        if self.value is None and self.matches:
            self.pick()
