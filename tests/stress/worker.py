"""One staff member's ``psm`` process for the stress suite: ``python -m tests.stress.worker``.

``mixed``: waits for "go" on stdin, then does N random operations on the shared cases through the
services and prints one JSON report of what succeeded (what the database must then contain).
``append``: waits for "go", then appends audit rows in N commits and prints how many.
``loop``: registers cases and notes until killed, appending each committed case number to a
file. ``hold``: registers a case inside a transaction it never commits, says so, and waits.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter

import peewee

from psm_tui.core import assignment, audit, cases, clock, followups, users
from psm_tui.core.errors import ConflictError, StaleVersionError
from psm_tui.store import backend, database
from psm_tui.store.database import db
from psm_tui.store.errors import DatabaseBusy
from psm_tui.store.models import Case

KELURAHAN = ("Poris Plawad", "Kenanga", "Petir", "Ketapang")
OPDS = ("DINKES", "DINSOS", "BPJSKES", "DISDUKCAPIL")


class Report:
    def __init__(self) -> None:
        self.registered: list[str] = []
        self.versioned: Counter[str] = Counter()  # successful version bumps per case
        self.notes: Counter[str] = Counter()
        self.followups: list[int] = []
        self.audit: Counter[str] = Counter()  # audit action -> rows this worker must have written
        self.outcomes: Counter[str] = Counter()
        self.errors: list[str] = []

    def as_json(self) -> str:
        return json.dumps(
            {
                "registered": self.registered,
                "versioned": self.versioned,
                "notes": self.notes,
                "followups": self.followups,
                "audit": self.audit,
                "outcomes": self.outcomes,
                "errors": self.errors,
            }
        )


def _operation(report: Report, rng: random.Random, actor: users.Actor, shared: list[str]) -> None:
    kind = rng.choice(("register", "assign", "note", "note", "followup", "update", "priority"))
    number = rng.choice(shared)
    if kind == "register":
        name = rng.choice(("Ibu Sari", "Pak Budi", "Nenek Ijah", "Ahmad Fauzi"))
        result = cases.register_case(
            actor,
            name=name,
            kelurahan=rng.choice(KELURAHAN),
            category=rng.randint(1, 26),
            description="stress",
        )
        report.registered.append(result.case.number)
        report.audit.update(["case.create", "client.create"])
    elif kind == "assign":
        assignment.assign_case(actor, number, auto=True)
        report.versioned[number] += 1
        report.audit["case.assign"] += 1
    elif kind == "note":
        cases.add_note(actor, number, f"catatan dari {actor.username}")
        report.notes[number] += 1
        report.audit["case.note"] += 1
    elif kind == "followup":
        info = followups.create_followup(actor, number, opd=rng.choice(OPDS), action="Mohon bantu")
        report.followups.append(info.id)
        report.audit["followup.create"] += 1
    elif kind == "update":
        if not report.followups:
            report.outcomes["skipped"] += 1
            return
        followups.update_followup(
            actor, rng.choice(report.followups), rng.choice(("diterima", "selesai")), response="ok"
        )
        report.audit["followup.update"] += 1
    else:
        seen = Case.get(Case.number == number).version
        cases.set_priority(
            actor, number, rng.choice(("darurat", "tinggi", "normal")), expected_version=seen
        )
        report.versioned[number] += 1
        report.audit["case.priority"] += 1
    report.outcomes[kind] += 1


def mixed(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    actor = users.actor_for(args.user)
    shared = args.cases.split(",")
    report = Report()
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(args.ops):
        try:
            _operation(report, rng, actor, shared)
        except StaleVersionError:
            report.outcomes["stale"] += 1  # the optimistic lock did its job: nothing was written
        except ConflictError:
            report.outcomes["conflict"] += 1  # e.g. follow-up already closed; nothing written
        except DatabaseBusy:
            report.outcomes["busy"] += 1  # waited out the whole busy timeout: the test fails
        except peewee.OperationalError as error:
            key = "locked" if backend.is_busy_error(error) else "operational"
            report.outcomes[key] += 1
            report.errors.append(repr(error))
        except Exception as error:  # reported to the test, which fails on it
            report.errors.append(repr(error))
    print(report.as_json(), flush=True)


def append(args: argparse.Namespace) -> None:
    """Audit rows as fast as possible, alone, inside a case write, and a few at a time (an
    import), each committed on its own; prints how many rows it committed."""
    actor = users.actor_for(args.user)
    shared = args.cases.split(",")
    print("ready", flush=True)
    sys.stdin.readline()
    written = 0
    for n in range(args.ops):
        if n % 3 == 0:
            audit.record(actor, "stress.append", "test", n, {"n": [None, n]})
            written += 1
        elif n % 3 == 1:
            cases.add_note(actor, shared[n % len(shared)], f"catatan {n} dari {actor.username}")
            written += 1
        else:
            row = (clock.now(), actor.username, "stress.bulk", "test", str(n), None, "{}", "")
            written += audit.record_rows([row] * 3)
    print(json.dumps({"written": written}), flush=True)


def loop(args: argparse.Namespace) -> None:
    actor = users.actor_for(args.user)
    log = os.open(args.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        detail = cases.register_case(
            actor, name=f"Klien {n}", kelurahan="Poris Plawad", category=8, description="x" * 500
        )
        cases.add_note(actor, detail.case.number, "catatan " * 50)
        os.write(log, f"{detail.case.number}\n".encode())


def hold(args: argparse.Namespace) -> None:
    actor = users.actor_for(args.user)
    with db.atomic():
        cases.register_case(actor, name="Setengah Jadi", kelurahan="Poris Plawad", category=8)
        print("inside", flush=True)
        time.sleep(60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("mixed", "append", "loop", "hold"))
    parser.add_argument("--db", required=True, type=str)
    parser.add_argument("--user", required=True)
    parser.add_argument("--ops", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cases", default="")
    parser.add_argument("--log", default=os.devnull)
    args = parser.parse_args()
    database.open_database(args.db)
    {"mixed": mixed, "append": append, "loop": loop, "hold": hold}[args.mode](args)


if __name__ == "__main__":
    main()
