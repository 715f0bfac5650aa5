"""An import's write phase in short batches that stay all-or-nothing for everyone else.

One big transaction held the write lock for the whole import (~15 s for 100,000 cases on
SQLite): every colleague's save waited. Instead each batch is its own short transaction (the
first of ``BATCH_ROWS`` rows, then sized to hold the lock about
``TARGET_HOLD``), with a pause between batches so other writers get the lock. The rows a batch
writes are listed in ``import_pending_*`` and left out by every reader
(core/pending_imports.py); the run's last, tiny transaction empties those tables, so all rows
appear at once. A run whose process died (killed, power cut) is rolled back, rows deleted, by the
next import or ``psm import recover``; a colleague's import that is still running never is.

Test hooks (tests/unit/test_import_batches.py): ``PSM_TEST_IMPORT_KILL_AFTER_BATCH=N`` kills
the process (SIGKILL) once batch N is committed; ``PSM_TEST_IMPORT_PAUSE_AFTER_BATCH=N`` waits
after batch N until the file ``PSM_TEST_IMPORT_PAUSE_FILE`` exists. ``PSM_IMPORT_BATCH_LOG``
names a file that gets one line per batch: its number, rows, the seconds it held the transaction,
and the seconds of the checkpoint after it (0: none then).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from psm_tui.core import audit, pending_imports
from psm_tui.core.dto import Actor
from psm_tui.core.errors import ConflictError
from psm_tui.core.imports.plan import Plan
from psm_tui.core.imports.writer import write_cases, write_workers
from psm_tui.core.users import require
from psm_tui.i18n import _
from psm_tui.store import backend
from psm_tui.store import bulk as backend_bulk
from psm_tui.store.database import db
from psm_tui.store.models import (
    Activity,
    Case,
    Client,
    ImportPendingCase,
    ImportPendingClient,
    ImportPendingWorker,
    ImportRecord,
    ImportRun,
    Worker,
)

PERMISSIONS = {"workers": "worker.manage", "cases": "case.create"}
BATCH_ROWS = 500  # the first batch; then sized to hold the lock about TARGET_HOLD
# Seconds of lock per batch: short while others write (their save waits about this much at
# most), longer while nobody else does (fewer, larger batches write fewer pages per row).
TARGET_HOLD = 0.05
TARGET_HOLD_ALONE = 0.15
MIN_ROWS, MAX_ROWS = 50, 5000
PAUSE_SECONDS = 0.01  # between batches: a colleague's waiting save takes the lock
CHECKPOINT_EVERY = 1.0  # seconds: the log is folded in between batches, at most this often
# A run on another host cannot be checked by its pid: it is dead once silent this long.
LEASE = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class RunInfo:
    """An import run, for ``psm import recover`` and ``psm check``."""

    id: int
    kind: str
    username: str
    source: str
    started_at: dt.datetime
    planned: int
    written: int
    alive: bool


def fixed_batch_rows() -> int | None:
    """``PSM_IMPORT_BATCH_ROWS``: every batch that size (tests, the bench), or None: adaptive."""
    value = os.environ.get("PSM_IMPORT_BATCH_ROWS")
    return max(1, int(value)) if value else None


def next_batch_rows(rows: int, held: float, alone: bool = False) -> int:
    """The next batch's size, so that it holds the lock about :data:`TARGET_HOLD` (or
    :data:`TARGET_HOLD_ALONE` when nobody else wrote since the last batch). The cost of a row
    grows with the database and the machine's load; at most halved or doubled a step."""
    target = TARGET_HOLD_ALONE if alone else TARGET_HOLD
    factor = min(2.0, max(0.5, target / max(held, 1e-6)))
    return min(MAX_ROWS, max(MIN_ROWS, round(rows * factor)))


def _info(run: ImportRun) -> RunInfo:
    return RunInfo(
        run.id,
        run.kind,
        run.username,
        run.source,
        run.started_at,
        run.planned,
        run.written,
        _alive(run),
    )


def _alive(run: ImportRun) -> bool:
    """Whether the run's process may still be writing (when in doubt: yes)."""
    if run.host == socket.gethostname():
        try:
            os.kill(run.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return bool(dt.datetime.now() - run.heartbeat_at < LEASE)


def unfinished() -> list[RunInfo]:
    """The runs still pending: running, or left by a process that died."""
    runs = ImportRun.select().where(ImportRun.state == "pending").order_by(ImportRun.id)
    return [_info(run) for run in runs]


def begin(actor: Actor, kind: str, source: str) -> int:
    """Claim the write phase for a new run: roll back a dead run first, refuse while another
    import is running. Returns the run's id."""
    with db.atomic():
        backend_bulk.lock_against_inserts(db.obj, ImportRun._meta.table_name)
        for run in ImportRun.select().where(ImportRun.state == "pending"):
            if _alive(run):
                raise ConflictError(
                    _(
                        "Another import is running ({kind} from {file}, by {user} since "
                        "{started}); try again when it has finished."
                    ).format(
                        kind=run.kind,
                        file=run.source,
                        user=run.username,
                        started=run.started_at.strftime("%H:%M"),
                    )
                )
            _roll_back(actor, run)
        now = dt.datetime.now()
        run_id: int = ImportRun.insert(
            kind=kind,
            username=actor.username,
            source=source[:255],
            state="pending",
            planned=0,
            written=0,
            host=socket.gethostname(),
            pid=os.getpid(),
            started_at=now,
            heartbeat_at=now,
        ).execute()
    return run_id


def write(
    run_id: int,
    actor: Actor,
    kind: str,
    plan: Plan[Any],
    source: str,
    now: dt.datetime,
    progress: Callable[[float], None],
) -> list[str]:
    """Write ``plan`` in batches (each its own transaction); the rows stay hidden until
    :func:`finish`. Returns the case numbers given, sorted (cases)."""
    rows = plan.rows
    if kind == "cases":
        rows = sorted(rows, key=lambda r: (r.reported_at, r.row))
    ImportRun.update(planned=len(rows)).where(ImportRun.id == run_id).execute()
    fixed = fixed_batch_rows()
    size = fixed or BATCH_ROWS
    created_niks: dict[str, int] = {}
    numbers: list[str] = []
    log = os.environ.get("PSM_IMPORT_BATCH_LOG")
    start, number, checkpointed = 0, 0, time.perf_counter()
    version = backend.data_version(db.obj)
    with backend_bulk.batch_checkpoints(db.obj):
        while start < len(rows):
            number += 1
            batch = dataclasses.replace(plan, rows=rows[start : start + size])
            start += len(batch.rows)
            alone = version == backend.data_version(db.obj)  # nobody wrote meanwhile
            with db.atomic():
                began = time.perf_counter()  # the lock is held from here (waiting excluded)
                if kind == "cases":
                    numbers += write_cases(actor, batch, source, now, _ignore, created_niks)
                else:
                    write_workers(actor, batch, source, now, _ignore)
                ImportRun.update(
                    written=ImportRun.written + len(batch.rows), heartbeat_at=dt.datetime.now()
                ).where(ImportRun.id == run_id).execute()
            held = time.perf_counter() - began
            version = backend.data_version(db.obj)
            folded = 0.0
            if time.perf_counter() - checkpointed >= CHECKPOINT_EVERY:
                checkpointed = time.perf_counter()
                backend_bulk.checkpoint(db.obj)
                folded = time.perf_counter() - checkpointed
            if log:
                with open(log, "a", encoding="utf-8") as stream:
                    stream.write(f"{number}\t{len(batch.rows)}\t{held:.6f}\t{folded:.6f}\n")
            _test_hooks(number)
            progress(start / len(rows))
            size = fixed or next_batch_rows(len(batch.rows), held, alone)
            time.sleep(PAUSE_SECONDS)
    return sorted(numbers)


def _ignore(_done: float) -> None:
    """A batch's own progress: the run reports per batch."""


def _test_hooks(batch: int) -> None:
    if os.environ.get("PSM_TEST_IMPORT_KILL_AFTER_BATCH") == str(batch):
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("PSM_TEST_IMPORT_PAUSE_AFTER_BATCH") == str(batch):
        flag = os.environ.get("PSM_TEST_IMPORT_PAUSE_FILE", "")
        while flag and not os.path.exists(flag):
            time.sleep(0.02)


def finish(run_id: int, actor: Actor, kind: str, changes: dict[str, object], source: str) -> None:
    """The run's last transaction: every row appears at once, with the import's audit row."""
    with db.atomic():
        pending_imports.reveal()
        _close(run_id, "done")
        audit.record(actor, f"import.{kind}", "file", None, changes, detail=source)


def discard(run_id: int) -> None:
    """A run that wrote nothing (dry run, all refused, nothing new): forget it."""
    with db.atomic():
        ImportRun.delete().where(ImportRun.id == run_id).execute()


def abandon(run_id: int, actor: Actor) -> None:
    """This process's run failed: delete what it wrote."""
    with db.atomic():
        run = ImportRun.get_or_none(ImportRun.id == run_id)
        if run is not None and run.state == "pending":
            _roll_back(actor, run)


def recover(actor: Actor) -> list[RunInfo]:
    """Roll back every run whose process is gone; returns them (runs still alive are left)."""
    recovered: list[RunInfo] = []
    with db.atomic():
        backend_bulk.lock_against_inserts(db.obj, ImportRun._meta.table_name)
        for run in ImportRun.select().where(ImportRun.state == "pending"):
            if not _alive(run):
                require(actor, PERMISSIONS[run.kind])
                recovered.append(_info(run))
                _roll_back(actor, run)
    return recovered


def _close(run_id: int, state: str) -> None:
    ImportRun.update(state=state, finished_at=dt.datetime.now()).where(
        ImportRun.id == run_id
    ).execute()


def _roll_back(actor: Actor, run: ImportRun) -> None:
    """Delete the rows ``run`` wrote (one import runs at a time: every pending id is its)."""
    cases = ImportPendingCase.select(ImportPendingCase.id)
    clients = ImportPendingClient.select(ImportPendingClient.id)
    workers = ImportPendingWorker.select(ImportPendingWorker.id)
    counts = {"cases": cases.count(), "clients": clients.count(), "workers": workers.count()}
    ImportRecord.delete().where(
        ((ImportRecord.kind == "cases") & ImportRecord.entity_id.in_(cases))
        | ((ImportRecord.kind == "workers") & ImportRecord.entity_id.in_(workers))
    ).execute()
    Activity.delete().where(Activity.case.in_(cases)).execute()
    for model, ids in ((Case, cases), (Client, clients), (Worker, workers)):
        model.delete().where(model.id.in_(ids)).execute()
    pending_imports.reveal()
    _close(run.id, "abandoned")
    audit.record(
        actor,
        f"import.{run.kind}.abandoned",
        "file",
        None,
        {"run": run.id, "by": run.username, **counts},
        detail=run.source,
    )
