"""Register a case: fields checked as they are typed, kelurahan picked by part of its name, and
possible duplicates (same NIK, same No. KK, similar name in the kelurahan) shown before saving."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from textual import on
from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from psm_tui.core import cases
from psm_tui.core.case_queries import mask_nik
from psm_tui.core.dto import Actor, DuplicateHint, Ref, RegisterResult
from psm_tui.core.errors import ValidationError
from psm_tui.core.labels import PRIORITIES, SOURCES, priority_label, source_label
from psm_tui.core.reference import all_categories
from psm_tui.core.validation import (
    sex_label,
    validate_birth_date,
    validate_kk,
    validate_name,
    validate_nik,
    validate_phone,
    validate_rt_rw,
)
from psm_tui.i18n import N_, _
from psm_tui.tui.context import actor
from psm_tui.tui.jobs import db_worker
from psm_tui.tui.messages import JobResult
from psm_tui.tui.modals.base import SAVE_GROUP, Dialog
from psm_tui.tui.text import plain
from psm_tui.tui.widgets.inputs import ServiceValidator, TextInput, TypeSelect
from psm_tui.tui.widgets.kelurahan_picker import KelurahanPicker

DuplicateKey = tuple[str, str, str | None, str | None]
DUPLICATES_GROUP = "duplicates"


def _quiet(check: Callable[[str], str | None], value: str) -> str | None:
    """The normalised value, or None if it does not validate (the save will say why)."""
    try:
        return check(value)
    except ValidationError:
        return None


def text_field(
    id: str,
    placeholder: str = "",
    check: Callable[[str], object] | None = None,
    *,
    required: bool = False,
) -> TextInput:
    validators = [ServiceValidator(check)] if check else None
    return TextInput(
        id=id,
        placeholder=placeholder,
        validators=validators,
        valid_empty=not required,
        validate_on=["changed", "blur"],
    )


class NewCaseDialog(Dialog[RegisterResult]):
    SAVE_LABEL = N_("Register")
    ERROR_LINE_GROUPS = frozenset({SAVE_GROUP, DUPLICATES_GROUP})

    class CategoriesRead(JobResult):
        def __init__(self, categories: list[Ref]) -> None:
            super().__init__()
            self.categories = categories

    class DuplicatesFound(JobResult):
        """The clients like ``key``; with ``then_register`` the look was ctrl+s's."""

        def __init__(
            self, key: DuplicateKey, hints: list[DuplicateHint], *, then_register: bool
        ) -> None:
            super().__init__()
            self.key = key
            self.hints = hints
            self.then_register = then_register

    def __init__(self) -> None:
        super().__init__()
        self.errors: dict[str, str] = {}
        self.duplicates: list[DuplicateHint] = []
        self.confirmed: DuplicateKey | None = None
        self._dup_timer: Timer | None = None
        self.complete = False

    def heading(self) -> str:
        return _("New case")

    def body(self) -> Iterable[Widget]:
        """Name and kelurahan first; the rest is mounted right after, so typing can begin at
        once (keys pressed while a dialog is still being built would go to the list below)."""
        with VerticalScroll(classes="form"):
            yield self.field(
                _("Client name"), text_field("name", _("full name"), validate_name, required=True)
            )
            yield self.field(_("Kelurahan"), KelurahanPicker(id="kelurahan"))
        yield Static("", id="duplicates")

    def rest(self) -> list[Widget]:
        return [
            self.field(
                _("Category"),
                TypeSelect([], prompt=_("PPKS category (type to search)"), id="category"),
            ),
            self.field(
                _("Priority"),
                TypeSelect(
                    [(priority_label(p), p) for p in PRIORITIES],
                    value="normal",
                    allow_blank=False,
                    id="priority",
                ),
            ),
            self.field(
                _("Description"), text_field("description", _("what happened, what is needed"))
            ),
            self.field("NIK", text_field("nik", _("16 digits, optional"), validate_nik)),
            self.field(
                _("Sex"),
                TypeSelect([(sex_label(s), s) for s in ("L", "P")], prompt="-", id="sex"),
            ),
            self.field(_("Birth date"), text_field("birth", "YYYY-MM-DD", validate_birth_date)),
            self.field("No. KK", text_field("kk", _("16 digits, optional"), validate_kk)),
            self.field(_("Phone"), text_field("phone", "08…", validate_phone)),
            self.field(_("Address"), text_field("address", _("street, house number"))),
            self.field("RT", text_field("rt", "", partial(validate_rt_rw, field="RT"))),
            self.field("RW", text_field("rw", "", partial(validate_rt_rw, field="RW"))),
            self.field(
                _("Source"),
                TypeSelect(
                    [(source_label(s), s) for s in SOURCES],
                    value="datang_langsung",
                    allow_blank=False,
                    id="source",
                ),
            ),
        ]

    def on_mount(self) -> None:
        self.query_one("#name", TextInput).focus()
        self.call_after_refresh(self._mount_rest)

    async def _mount_rest(self) -> None:
        await self.query_one(".form").mount_all(self.rest())
        self.complete = True
        self._read_categories()

    @db_worker()
    def _read_categories(self) -> CategoriesRead:
        return self.CategoriesRead(all_categories())

    @on(CategoriesRead)
    def _categories(self, message: CategoriesRead) -> None:
        self.query_one("#category", Select).set_options(
            [(f"{c.code}. {c.name}", c.code) for c in message.categories]
        )

    def value(self, id: str) -> str:
        widget = self.query_one(f"#{id}")
        if isinstance(widget, Select):
            return "" if widget.value is Select.NULL else str(widget.value)
        return widget.value.strip() if isinstance(widget, Input) else ""

    # -- as-you-type checks ------------------------------------------------------------------

    @on(Input.Changed)
    def _checked(self, event: Input.Changed) -> None:
        field = event.input.id or ""
        result = event.validation_result
        if result is not None and not result.is_valid:
            self.errors[field] = result.failure_descriptions[0]
        else:
            self.errors.pop(field, None)
        self.show_error(next(iter(self.errors.values()), ""))
        if field in ("name", "nik", "kk"):
            self._schedule_duplicates()

    @on(KelurahanPicker.Picked)
    def _kelurahan_picked(self) -> None:
        self._schedule_duplicates()
        self.query_one("#category", Select).focus()

    def _schedule_duplicates(self) -> None:
        if self._dup_timer is not None:
            self._dup_timer.stop()
        self._dup_timer = self.set_timer(0.6, self._look_for_duplicates)

    def _key(self) -> DuplicateKey | None:
        kelurahan = self.query_one(KelurahanPicker).value
        name = _quiet(validate_name, self.value("name"))
        if kelurahan is None or name is None:
            return None
        return (
            name,
            kelurahan.code,
            _quiet(validate_nik, self.value("nik")),
            _quiet(validate_kk, self.value("kk")),
        )

    def _look_for_duplicates(self, then_register: bool = False) -> None:
        key = self._key()
        if key is None:
            return
        self._find_duplicates(key, actor(self), then_register=then_register)

    @db_worker(group=DUPLICATES_GROUP, exclusive=True)
    def _find_duplicates(
        self, key: DuplicateKey, who: Actor, *, then_register: bool
    ) -> DuplicatesFound:
        hints = cases.find_duplicates(*key, actor=who)
        return self.DuplicatesFound(key, hints, then_register=then_register)

    @on(DuplicatesFound)
    def _duplicates_found(self, message: DuplicatesFound) -> None:
        key, then_register = message.key, message.then_register
        self.duplicates = hints = message.hints
        area = self.query_one("#duplicates", Static)
        area.set_class(bool(hints), "-shown")
        lines = [_("Possible duplicates:")] + [
            "• "
            + (
                h.reason
                if h.hidden
                else _("{name} ({nik}), {kelurahan}: {reason}").format(
                    name=h.name,
                    nik=mask_nik(h.nik, actor(self)) or "-",
                    kelurahan=h.kelurahan,
                    reason=h.reason,
                )
            )
            for h in hints[:3]
        ]
        area.update(plain("\n".join(lines)) if hints else "")
        if not then_register:
            return
        if hints and self.confirmed != key:
            self.confirmed = key
            self.saving = False
            self.show_error(
                _("Check the possible duplicates; press ctrl+s again to register anyway.")
            )
            return
        self._register()

    # -- saving ------------------------------------------------------------------------------

    def save(self) -> None:
        if not self.complete:
            return
        if self.errors:
            self.show_error(next(iter(self.errors.values())))
            return
        if not self.value("name"):
            self.show_error(_("Give the client's name."))
            self.query_one("#name").focus()
            return
        if self.query_one(KelurahanPicker).value is None:
            self.show_error(_("Pick the kelurahan from the list (type part of its name)."))
            self.query_one(KelurahanPicker).focus()
            return
        if not self.value("category"):
            self.show_error(_("Choose the PPKS category."))
            self.query_one("#category").focus()
            return
        if self._dup_timer is not None:  # a debounced look would cancel the one that saves
            self._dup_timer.stop()
        key = self._key()
        if key is not None and key == self.confirmed:
            self._register()
        else:
            self.saving = True
            self._look_for_duplicates(then_register=True)

    def _register(self) -> None:
        kelurahan = self.query_one(KelurahanPicker).value
        assert kelurahan is not None
        self.submit(
            partial(
                cases.register_case,
                actor(self),
                name=self.value("name"),
                kelurahan=kelurahan.code,
                category=self.value("category"),
                nik=self.value("nik") or None,
                kk=self.value("kk") or None,
                sex=self.value("sex") or None,
                birth_date=self.value("birth") or None,
                address=self.value("address"),
                rt=self.value("rt") or None,
                rw=self.value("rw") or None,
                phone=self.value("phone") or None,
                priority=self.value("priority"),
                source=self.value("source"),
                description=self.value("description"),
            )
        )
