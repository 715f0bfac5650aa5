"""The command palette (ctrl+p): jump to a case, a kelurahan's cases, a worker, or run an action."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import App
from textual.command import CommandInput, DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.worker import WorkerCancelled, WorkerFailed

from psm_tui.core import clients, lookup, session
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import CaseSummary, ClientInfo, KelurahanRef, WorkerInfo
from psm_tui.core.labels import OPEN_STATUSES, status_label
from psm_tui.core.programmes import HEALTH_COVER
from psm_tui.core.reference import all_kelurahan
from psm_tui.i18n import _
from psm_tui.tui import context
from psm_tui.tui.compat_textual import TranslatedCommandPalette
from psm_tui.tui.messages import OpenCase, ShowCases
from psm_tui.tui.text import clean

if TYPE_CHECKING:
    from psm_tui.tui.application import PsmApp

T = TypeVar("T")
EXACT = 100.0  # above any fuzzy score: a case number or a name the user typed part of
NAMED = 50.0
CASE_NUMBER = re.compile(r"^\d{4}-\d{0,6}$|^\d{1,6}$")
NUMBER_16 = re.compile(r"^\d{16}$")  # a NIK or a No. KK


class PsmPalette(TranslatedCommandPalette):
    """The palette with a translated prompt and a steady cursor (no blink traffic over SSH)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            placeholder=_("Case number, client, kelurahan, PSM name or action…"), **kwargs
        )

    def on_mount(self) -> None:
        self.query_one(CommandInput).cursor_blink = False


def highlighted(matcher: Matcher, text: str) -> Content:
    """``text`` literally (never markup), with the matched letters styled."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if score and matcher.match_style is not None:
        for offset in offsets:
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class PsmCommands(Provider):
    """Cases by number, kelurahan by name, workers by name, and the app's actions."""

    async def startup(self) -> None:
        self.kelurahan: list[KelurahanRef] = await self._in_thread(all_kelurahan) or []

    @property
    def psm_app(self) -> PsmApp:
        return context.psm_app(self.app)

    async def _in_thread(self, job: Callable[[], T]) -> T | None:
        def work() -> T:
            with session.unit_of_work():
                return job()

        worker = self.app.run_worker(work, thread=True, exit_on_error=False, group="palette")
        try:
            return await worker.wait()
        except (WorkerFailed, WorkerCancelled):
            return None

    def actions(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self.psm_app
        actor = app.actor
        return [
            (_("Go to Summary"), partial(app.switch_view, "dashboard"), _("key 1")),
            (_("Go to Cases"), partial(app.switch_view, "cases"), _("key 2")),
            (_("Go to Follow-ups"), partial(app.switch_view, "followups"), _("key 3")),
            (_("Go to PSM"), partial(app.switch_view, "workers"), _("key 4")),
            (_("Go to Reports"), partial(app.switch_view, "reports"), _("key 5")),
            (_("New case"), partial(app.run_main_action, "new_case"), _("key n in Cases")),
            (
                _("Cases: untriaged (new)"),
                partial(app.post_message, ShowCases(CaseFilter(status=("baru",)))),
                "",
            ),
            (
                _("Cases: unassigned"),
                partial(
                    app.post_message,
                    ShowCases(
                        CaseFilter(status=("baru", "ditugaskan", "ditangani"), unassigned=True)
                    ),
                ),
                "",
            ),
            (
                _("Cases: overdue follow-ups"),
                partial(app.post_message, ShowCases(CaseFilter(overdue=True))),
                "",
            ),
            (
                _("Cases: my queue"),
                partial(
                    app.post_message,
                    ShowCases(
                        CaseFilter(status=("baru", "ditugaskan", "ditangani"), created_by=actor.id)
                    ),
                ),
                "",
            ),
            (
                _("Cases: open, client without PBI-JK"),
                partial(
                    app.post_message,
                    ShowCases(
                        CaseFilter(status=OPEN_STATUSES, without_programme=HEALTH_COVER),
                        _("without PBI-JK"),
                    ),
                ),
                "",
            ),
            (_("Import workers or cases from a file"), partial(open_import, app), ""),
            (_("Help: keys"), app.action_help, _("key ?")),
            (_("Quit"), app.exit, _("key q")),
        ]

    async def discover(self) -> Hits:
        for label, command, help_text in self.actions():
            yield DiscoveryHit(Content(label), command, text=label, help=help_text or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, command, help_text in self.actions():
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score, highlighted(matcher, label), command, text=label, help=help_text or None
                )
        text = query.strip()
        if CASE_NUMBER.match(text):
            numbers = await self._in_thread(partial(case_numbers, text)) or []
            for number in numbers:
                label = _("Open case {number}").format(number=number)
                yield Hit(
                    EXACT,
                    Content(label),
                    partial(self.app.post_message, OpenCase(number)),
                    text=label,
                )
        for ref in lookup.match_kelurahan(text, getattr(self, "kelurahan", []), limit=10):
            label = _("Cases in {kelurahan}").format(kelurahan=ref.label)
            filters = CaseFilter(kelurahan=ref.code)
            yield Hit(
                NAMED,
                highlighted(matcher, label),
                partial(self.app.post_message, ShowCases(filters, ref.label)),
                text=label,
            )
        if len(text) >= 3 and not text[0].isdigit():
            actor = self.psm_app.actor
            cases = await self._in_thread(partial(lookup.cases_of_client, actor, text)) or []
            for case in cases:
                yield self._client_case_hit(matcher, case)
            workers = await self._in_thread(partial(lookup.search_workers, text)) or []
            for worker in workers:
                yield self._worker_hit(matcher, worker)
        found: list[ClientInfo] | None = None
        if len(text) >= 3 and not CASE_NUMBER.match(text):
            found = await self._in_thread(
                partial(clients.search_clients, self.psm_app.actor, text, limit=10)
            )
            for client in found or []:
                yield self._client_hit(matcher, client)
        if NUMBER_16.match(text) and any(c.kk and c.kk[-4:] == text[-4:] for c in found or []):
            label = _("Household of No. KK {kk}").format(kk=text)
            yield Hit(EXACT, Content(label), partial(open_household, self.app, text), text=label)

    def _client_hit(self, matcher: Matcher, client: ClientInfo) -> Hit:
        place = client.kelurahan.label if client.kelurahan else ""
        label = _("Client {name} ({place})").format(
            name=clean(client.name, single_line=True), place=place
        )
        return Hit(
            NAMED - 2,
            highlighted(matcher, label),
            partial(open_client, self.app, client.id),
            text=label,
        )

    def _client_case_hit(self, matcher: Matcher, case: CaseSummary) -> Hit:
        label = _("Open case {number}: {client} ({place}, {status})").format(
            number=case.number,
            client=clean(case.client_name, single_line=True),
            place=case.kelurahan.label,
            status=status_label(case.status),
        )
        return Hit(
            NAMED + 1,
            highlighted(matcher, label),
            partial(self.app.post_message, OpenCase(case.number, case)),
            text=label,
        )

    def _worker_hit(self, matcher: Matcher, worker: WorkerInfo) -> Hit:
        place = (
            _("Kel. {name}").format(name=worker.kelurahan_name)
            if worker.kelurahan_name
            else _("Kec. {name}").format(name=worker.kecamatan_name)
        )
        name = clean(worker.name, single_line=True)
        label = _("Cases of {kind} {name} ({place}, {n} open)").format(
            kind=worker.kind.upper(), name=name, place=place, n=worker.open_cases
        )
        filters = CaseFilter(worker_id=worker.id)
        return Hit(
            NAMED - 1,
            highlighted(matcher, label),
            partial(self.app.post_message, ShowCases(filters, name)),
            text=label,
        )


def open_client(app: App[object], client_id: int) -> None:
    from psm_tui.tui.screens.client import ClientScreen

    app.push_screen(ClientScreen(client_id))


def open_household(app: App[object], kk: str) -> None:
    from psm_tui.tui.screens.household import HouseholdScreen

    app.push_screen(HouseholdScreen(kk=kk))


def open_import(app: PsmApp) -> None:
    """The import screen, imported when chosen (it brings the import services with it)."""
    from psm_tui.tui.modals.import_file import ImportDialog

    app.push_screen(ImportDialog())


def case_numbers(text: str) -> list[str]:
    """``2026-00012`` -> numbers with that prefix; ``123`` -> cases numbered 123 in any year."""
    if "-" in text:
        return lookup.case_numbers_like(text)
    return lookup.cases_numbered(int(text))
