"""One staff member of the office bench, in a process of its own: log in, then think 1–5 s and
do one thing, as the TUI's workers do it (the same core calls, each inside
``session.unit_of_work()``, a connection per piece of work), until the window closes.

Every action is timed wall-clock, commit included; a failure is counted by its type and the
session goes on, as the TUI shows the error and the user carries on.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from peewee import fn

from psm_tui.core import (
    assignment,
    audit,
    case_queries,
    cases,
    dashboard,
    followups,
    privacy,
    reference,
    session,
    users,
)
from psm_tui.core.audit_text import audit_lines
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import Actor, CaseDetail, CaseSummary
from psm_tui.core.followups import FollowUpFilter
from psm_tui.core.labels import FOLLOWUP_OPEN, OPEN_STATUSES
from psm_tui.store.models import Case, Client, Kelurahan

PAGE = 200  # the TUI's case list page (psm_tui/tui/widgets/case_table.py PAGE)
FOLLOWUP_LIMIT = 500  # the follow-ups view's limit (psm_tui/tui/views/followups.py LIMIT)
AUDIT_SHOWN = 200  # the case screen's audit trail (psm_tui/tui/case_record.py AUDIT_SHOWN)
SAMPLE_IDS = 3000  # random case ids looked at per session for its search terms and cases

# What one person does per think time, like an office: reads far more often than saves.
WEIGHTS = {
    "list": 18,
    "page down": 14,
    "search": 15,
    "open case": 20,
    "dashboard": 8,
    "follow-ups view": 5,
    "note": 8,
    "assign": 5,
    "follow-up": 7,
}
# (action, kind, seconds, error type or "", error text or "")
Sample = tuple[str, str, float, str, str]


@dataclass
class Plan:
    """What the parent tells a session."""

    index: int
    login: str
    location: str
    seed: int
    think: tuple[float, float] = (1.0, 5.0)
    max_actions: int | None = None  # a test's bound; the bench runs until the window closes


@dataclass
class Office:
    """One session's state: who it is, what it last listed, what it may search for."""

    actor: Actor
    rng: random.Random
    terms: list[tuple[str, str, str | None]]  # (case number, client name, NIK), in scope
    filters: CaseFilter = field(default_factory=CaseFilter)
    page: int = 0
    listed: list[CaseSummary] = field(default_factory=list)
    opds: list[str] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)

    # -- timing --------------------------------------------------------------------------
    def timed(self, action: str, kind: str, job: Callable[[], Any]) -> Any:
        """Run ``job`` as a TUI worker does and record it; a failure is recorded, not raised."""
        started = time.perf_counter()
        try:
            with session.unit_of_work():
                result = job()
        except Exception as error:  # every failure is counted, none ends the session
            took = time.perf_counter() - started
            self.samples.append((action, kind, took, type(error).__name__, str(error)[:160]))
            return None
        self.samples.append((action, kind, time.perf_counter() - started, "", ""))
        return result

    def untimed(self, job: Callable[[], Any]) -> Any:
        """A read the screen already holds (the case behind a dialog): not measured."""
        try:
            with session.unit_of_work():
                return job()
        except Exception:  # the timed action that follows reports what is wrong
            return None

    # -- which case ----------------------------------------------------------------------
    def a_case(self, open_only: bool = False) -> str:
        """A case from the list on screen (as a user picks one), else one of the session's."""
        rows = [r for r in self.listed if not r.restricted]
        if open_only:
            rows = [r for r in rows if r.status in OPEN_STATUSES]
        if rows:
            return self.rng.choice(rows).number
        return self.rng.choice(self.terms)[0]

    def open_detail(self) -> CaseDetail | None:
        """An open case's detail, as the screen behind a dialog holds it (a few tries: the
        session's own cases may all be closed)."""
        actor = self.actor
        for _try in range(8):
            number = self.a_case(open_only=True)
            detail = self.untimed(lambda n=number: case_queries.case_detail(actor, n))
            if detail is not None and detail.summary.status in OPEN_STATUSES:
                return detail  # type: ignore[no-any-return]
        return None

    # -- reads ---------------------------------------------------------------------------
    def show_list(self, action: str, filters: CaseFilter) -> None:
        """The case list's two workers: the count and the first page."""
        actor = self.actor
        self.filters, self.page = filters, 0

        def read() -> list[CaseSummary]:
            case_queries.count_cases(filters, actor)
            return case_queries.list_cases(actor, filters, limit=PAGE, offset=0)

        rows = self.timed(action, "read", read)
        if rows:
            self.listed = rows

    def list(self) -> None:
        self.show_list("list", CaseFilter())

    def page_down(self) -> None:
        self.page += 1
        actor, filters, offset = self.actor, self.filters, self.page * PAGE
        rows = self.timed(
            "page down",
            "read",
            lambda: case_queries.list_cases(actor, filters, limit=PAGE, offset=offset),
        )
        if rows:
            self.listed = rows
        else:
            self.page = 0

    def search(self) -> None:
        number, name, nik = self.rng.choice(self.terms)
        what = self.rng.choice(("name", "NIK", "number") if nik else ("name", "number"))
        text = {"name": name, "NIK": nik, "number": number}[what]
        self.show_list(f"search {what}", CaseFilter(search=text))

    def open_case(self) -> None:
        """The case screen's worker: the audited view and the latest audit trail in words."""
        actor, number = self.actor, self.a_case()

        def read() -> object:
            detail = privacy.view_case(actor, number)
            return audit_lines(audit.entries(case_number=detail.number, limit=AUDIT_SHOWN))

        self.timed("open case", "read", read)

    def dashboard(self) -> None:
        actor = self.actor
        self.timed("dashboard", "read", lambda: dashboard.figures(actor))

    def followups_view(self) -> None:
        actor = self.actor

        def read() -> object:
            dashboard.followups_by_opd(actor)
            return followups.list_followups(
                FollowUpFilter(open_only=True), limit=FOLLOWUP_LIMIT + 1, actor=actor
            )

        self.timed("follow-ups view", "read", read)

    # -- saves ---------------------------------------------------------------------------
    def note(self) -> None:
        actor, number = self.actor, self.a_case()
        text = f"Kunjungan rumah oleh {actor.full_name}: kondisi klien dicatat ({time.time():.0f})."
        kind = self.rng.choice(("catatan", "kunjungan", "telepon"))
        self.timed("note", "save", lambda: cases.add_note(actor, number, text, kind))

    def assign(self) -> None:
        """The assign dialog: its candidates (a read), then the hand-over to another PSM of the
        case's kelurahan (the first candidate who does not hold it) with the case's version."""
        actor, detail = self.actor, self.open_detail()
        if detail is None:
            return
        number = detail.number
        found = self.timed("assign dialog", "read", lambda: assignment.candidates(number))
        if not found:
            return
        holder = detail.summary.worker.id if detail.summary.worker else None
        others = [c.worker.id for c in found if c.worker.id != holder]
        if not others:
            return
        worker_id, version = others[0], detail.summary.version
        self.timed(
            "assign",
            "save",
            lambda: assignment.assign_case(
                actor, number, worker_id=worker_id, expected_version=version
            ),
        )

    def followup(self) -> None:
        """Close the case's open follow-up (the OPD answered) or send it a new one."""
        actor, detail = self.actor, self.open_detail()
        if detail is None:
            return
        number = detail.number
        waiting = [f for f in detail.followups if f.status in FOLLOWUP_OPEN]
        if waiting:
            followup_id = waiting[0].id
            self.timed(
                "follow-up close",
                "save",
                lambda: followups.answer_followup(
                    actor, followup_id, "selesai", response="Sudah ditindaklanjuti OPD."
                ),
            )
            return
        opd = self.rng.choice(self.opds)
        self.timed(
            "follow-up add",
            "save",
            lambda: followups.create_followup(
                actor, number, opd=opd, action="Mohon asesmen lanjutan.", default_days=14
            ),
        )


ACTIONS: dict[str, Callable[[Office], None]] = {
    "list": Office.list,
    "page down": Office.page_down,
    "search": Office.search,
    "open case": Office.open_case,
    "dashboard": Office.dashboard,
    "follow-ups view": Office.followups_view,
    "note": Office.note,
    "assign": Office.assign,
    "follow-up": Office.followup,
}


def _terms(actor: Actor, rng: random.Random) -> list[tuple[str, str, str | None]]:
    """Cases (number, client name, NIK) the actor may open in full: random ids, kept when in
    the actor's kecamatan and not sensitive (a restricted case is another measure)."""
    top = Case.select(fn.MAX(Case.id)).scalar() or 0
    ids = sorted({rng.randint(1, top) for _ in range(SAMPLE_IDS)})
    rows = (
        Case.select(Case.number, Client.name, Client.nik, Kelurahan.kecamatan)
        .join(Client)
        .switch(Case)
        .join(Kelurahan)
        .where(Case.id.in_(ids), Case.sensitive == False)  # noqa: E712 (SQL, not Python)
        .tuples()
    )
    scope = users.read_scope(actor)
    return [(n, name, nik) for n, name, nik, kec in rows if scope is None or kec == scope]


def prepare(plan: Plan) -> Office:
    session.open_location(plan.location)
    with session.unit_of_work():
        actor = users.actor_for(plan.login)
        rng = random.Random(plan.seed * 1000 + plan.index)
        office = Office(actor, rng, _terms(actor, rng))
        office.opds = [o.code for o in reference.all_opds()]
    if not office.terms:
        raise RuntimeError(f"{plan.login}: no case in scope to work on")
    return office


def work(office: Office, plan: Plan, deadline: float) -> list[Sample]:
    """Think, act, until ``deadline`` (``time.time()``) or ``plan.max_actions``."""
    # The choice of action has its own generator: the same seed gives the same actions.
    chooser = random.Random(plan.seed * 7919 + plan.index)
    names, weights = list(WEIGHTS), list(WEIGHTS.values())
    low, high = plan.think
    done = 0
    while plan.max_actions is None or done < plan.max_actions:
        pause = office.rng.uniform(low, high)
        if time.time() + pause >= deadline:
            break
        time.sleep(pause)
        ACTIONS[chooser.choices(names, weights)[0]](office)
        done += 1
    return office.samples


def main(plan: Plan, ready: Any, start: Any, deadline: Any, results: Any) -> None:
    """A spawned session: prepare, say so, wait for the common start, work, report."""
    try:
        office = prepare(plan)
    except Exception as error:  # reported to the parent, which counts it
        results.put(("failed", plan.index, f"{type(error).__name__}: {error}"))
        return
    ready.put(plan.index)
    start.wait()
    samples = work(office, plan, deadline.value)
    session.close()
    results.put(("done", plan.index, samples))
