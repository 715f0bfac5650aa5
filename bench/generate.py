"""Deterministic bulk generator of benchmark databases (10k / 100k / 1M cases).

The schema is the real one (``open_database`` + ``setup.initialise``, so every migration and its
triggers apply); the rows are written through one raw ``sqlite3`` connection with
``executemany`` in a single transaction. Names, streets and texts come from pools computed once
(faker's ``id_ID`` lists and the demo's vocabularies), never from a faker call per row. The same
size and seed always give the same rows: times are anchored to :data:`ANCHOR`, not to today.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.pools import (
    ANCHOR,
    DETAILS,
    EPOCH,
    FIRST_FEMALE,
    FIRST_MALE,
    LAST,
    NOW_S,
    STREETS,
    Niks,
    cum,
    phone,
    ts,
)
from psm_tui.core import audit_chain, reference, setup, users
from psm_tui.core.dto import KelurahanRef, Ref
from psm_tui.core.sensitive import SENSITIVE_CATEGORIES
from psm_tui.ops import demo
from psm_tui.store import database
from psm_tui.store.dialects import sqlite

GENERATOR_VERSION = 3
BLOCK = 20_000  # cases generated and written per step
SIZES = {"500": 500, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
CACHE = Path(__file__).resolve().parent / ".cache"
# A timeline fact (psm_tui/core/timeline.py), worded in the reader's language when read.
ASSIGNED = '{"event":"assign","why":{"event":"text","text":"ditugaskan ke PSM"}}'


def cache_path(size: str, seed: int = 1) -> Path:
    return CACHE / f"cases-{size}-seed{seed}-v{GENERATOR_VERSION}.db"


@contextlib.contextmanager
def work_copy(size: str, seed: int = 1) -> Iterator[Path]:
    """A private copy of the cached database for a bench that writes (the cache is never
    written), made with SQLite's backup API so that a WAL not yet checkpointed comes along;
    deleted afterwards."""
    cached = cache_path(size, seed)
    if not cached.is_file():
        raise SystemExit(f"no cached database {cached}; run python -m bench generate --size {size}")
    with tempfile.TemporaryDirectory(prefix="psm-work-", dir=CACHE) as folder:
        copy = Path(folder) / "psm.db"
        with (
            sqlite3.connect(f"file:{cached}?mode=ro", uri=True) as src,
            sqlite3.connect(copy) as dst,
        ):
            src.backup(dst)
        copy.chmod(0o600)  # psm refuses a database other users of the server could read
        yield copy


class Generator:
    """Builds the rows of one database; :meth:`fill` writes them through ``conn``."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        total: int,
        seed: int,
        kelurahan: list[KelurahanRef],
        kecamatan: list[Ref],
    ) -> None:
        self.conn = conn
        self.total = total
        self.rng = random.Random(seed)
        self.niks = Niks()
        self.kelurahan = kelurahan
        self.kecamatan = kecamatan
        self.opds = {r[0] for r in conn.execute("SELECT code FROM opd")}
        self.clients: list[str] = []  # kelurahan code per client id - 1
        self.sequence: dict[int, int] = {}
        self.next_followup = 1

    # --- reference rows ---------------------------------------------------------------------
    def staff(self) -> list[int]:
        rows = [(u, n, r, k, 1, str(ANCHOR - dt.timedelta(days=900))) for r, u, n, k in demo.STAFF]
        self.conn.executemany(
            "INSERT OR IGNORE INTO staff_user (username, full_name, role, kecamatan_code, active,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
        return [
            i
            for (i,) in self.conn.execute(
                "SELECT id FROM staff_user WHERE role IN ('admin', 'supervisor', 'operator')"
                " ORDER BY id"
            )
        ]

    def workers(self) -> dict[str, list[int]]:
        rng = self.rng
        weights = [rng.lognormvariate(0, 0.5) for _ in self.kelurahan]
        counts = [1] * len(self.kelurahan)
        for index in rng.choices(
            range(len(self.kelurahan)), weights=weights, k=demo.PSM_TOTAL - len(self.kelurahan)
        ):
            counts[index] += 1
        rows = []
        for kel, count in zip(self.kelurahan, counts, strict=True):
            psm = [self._worker("psm", kel.kecamatan_code, kel.code) for _ in range(count)]
            if not any(row[6] for row in psm):  # every kelurahan keeps an active PSM
                psm[0] = (*psm[0][:6], 1, psm[0][7], None, None, psm[0][10])
            rows += psm
        rows += [self._worker("tksk", kec.code, None) for kec in self.kecamatan]
        self.conn.executemany(
            "INSERT INTO worker (kind, name, nik, phone, kelurahan_code, kecamatan_code, active,"
            " joined_on, inactive_reason, inactive_on, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        by_kel: dict[str, list[int]] = {}
        for wid, kel in self.conn.execute(
            "SELECT id, kelurahan_code FROM worker WHERE kind = 'psm' AND active ORDER BY id"
        ):
            by_kel.setdefault(kel, []).append(wid)
        return by_kel

    def _worker(self, kind: str, kec: str, kel: str | None) -> tuple:  # type: ignore[type-arg]
        rng = self.rng
        sex = rng.choice("LP")
        first = rng.choice(FIRST_FEMALE if sex == "P" else FIRST_MALE)
        born = (ANCHOR - dt.timedelta(days=rng.randint(25 * 365, 60 * 365))).date()
        joined = dt.date(rng.randint(2012, ANCHOR.year - 1), rng.randint(1, 12), rng.randint(1, 28))
        inactive = kind == "psm" and rng.random() < 0.02
        return (
            kind,
            f"{first} {rng.choice(LAST)}",
            self.niks(kec.replace(".", ""), born, sex),
            phone(rng),
            kel,
            kec,
            0 if inactive else 1,
            str(joined),
            "Pindah domisili" if inactive else None,
            str(ANCHOR.date() - dt.timedelta(days=rng.randint(30, 700))) if inactive else None,
            str(ANCHOR - dt.timedelta(days=900)),
        )

    # --- cases ------------------------------------------------------------------------------
    def fill(self, progress: bool = True) -> None:
        staff = self.staff()
        psm_by_kel = self.workers()
        moments = sorted(self.rng.randrange(3600, NOW_S - 3600) for _ in range(self.total))
        started = time.monotonic()
        for start in range(0, self.total, BLOCK):
            rows = self._block(moments[start : start + BLOCK], start + 1, staff, psm_by_kel)
            self._write(*rows)
            if progress:
                done = min(start + BLOCK, self.total)
                print(
                    f"\r  {done:,} / {self.total:,} cases  {time.monotonic() - started:5.1f} s",
                    end="",
                    file=sys.stderr,
                    flush=True,
                )
        if progress:
            print(file=sys.stderr)
        self.conn.executemany(
            "INSERT OR REPLACE INTO case_counter (year, last) VALUES (?, ?)",
            sorted(self.sequence.items()),
        )

    def _write(
        self,
        clients: list,
        cases: list,
        assignments: list,  # type: ignore[type-arg]
        activities: list,
        followups: list,
    ) -> None:  # type: ignore[type-arg]
        c = self.conn
        c.executemany(
            "INSERT INTO client (id, name, nik, kk, sex, birth_date, address, rt, rw,"
            " kelurahan_code, phone, dtsen, dtsen_desil, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            clients,
        )
        c.executemany(
            'INSERT INTO "case" (id, number, client_id, category_code, priority, status,'
            " kelurahan_code, worker_id, description, source, outcome, reported_at,"
            " updated_at, closed_at, created_by_id, updated_by_id, version, sensitive)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            cases,
        )
        c.executemany(
            "INSERT INTO assignment (case_id, worker_id, assigned_by_id, assigned_at,"
            " reason, ended_at) VALUES (?, ?, ?, ?, ?, ?)",
            assignments,
        )
        c.executemany(
            "INSERT INTO activity (case_id, kind, data, author_id, at, worker_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            activities,
        )
        c.executemany(
            "INSERT INTO follow_up (case_id, opd_code, action, due_on, status, response,"
            " responded_at, reason, created_by_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            followups,
        )

    def _block(
        self, moments: list[int], first_id: int, staff: list[int], psm_by_kel: dict[str, list[int]]
    ) -> tuple[list, ...]:  # type: ignore[type-arg]
        rng = self.rng
        n = len(moments)
        cat_keys, cat_cum = cum(demo.CATEGORY_WEIGHTS)
        pri_keys, pri_cum = cum(demo.PRIORITY_WEIGHTS)
        src_keys, src_cum = cum(demo.SOURCE_WEIGHTS)
        categories = rng.choices(cat_keys, cum_weights=cat_cum, k=n)
        priorities = rng.choices(pri_keys, cum_weights=pri_cum, k=n)
        sources = rng.choices(src_keys, cum_weights=src_cum, k=n)
        clients: list[tuple] = []  # type: ignore[type-arg]
        cases: list[tuple] = []  # type: ignore[type-arg]
        assignments: list[tuple] = []  # type: ignore[type-arg]
        activities: list[tuple] = []  # type: ignore[type-arg]
        followups: list[tuple] = []  # type: ignore[type-arg]
        for offset, reported in enumerate(moments):
            case_id = first_id + offset
            category = categories[offset]
            if self.clients and rng.random() < 0.08:
                client_id = rng.randint(1, len(self.clients))
                kel_code = self.clients[client_id - 1]
            else:
                kel = rng.choice(self.kelurahan)
                clients.append(self._client(len(self.clients) + 1, category, kel, reported))
                self.clients.append(kel.code)
                client_id, kel_code = len(self.clients), kel.code
            year = int(ts(reported)[:4])
            self.sequence[year] = self.sequence.get(year, 0) + 1
            author = rng.choice(staff)
            status = demo._status_for_age((NOW_S - reported) // 86400, rng)
            description = rng.choice(
                demo.CATEGORY_DESCRIPTIONS[category] + demo.ANY_CASE_DESCRIPTIONS
            )
            if rng.random() < 0.6:
                description += " " + rng.choice(DETAILS)
            case = {
                "id": case_id,
                "status": status,
                "worker": None,
                "outcome": None,
                "updated": reported,
                "closed": None,
                "version": 1,
                "category": category,
                "description": description,
            }
            activities.append(
                (case_id, "status", '{"event":"status","to":"baru"}', author, ts(reported), None)
            )
            if status != "baru":
                self._handle(
                    case, reported, psm_by_kel[kel_code], author, activities, assignments, followups
                )
            cases.append(
                (
                    case_id,
                    f"{year}-{self.sequence[year]:06d}",
                    client_id,
                    category,
                    priorities[offset],
                    status,
                    kel_code,
                    case["worker"],
                    description,
                    sources[offset],
                    case["outcome"],
                    ts(reported),
                    ts(case["updated"]),
                    ts(case["closed"]) if case["closed"] is not None else None,
                    author,
                    author,
                    case["version"],
                    category in SENSITIVE_CATEGORIES,
                )
            )
        return clients, cases, assignments, activities, followups

    def _client(self, client_id: int, category: int, kel: KelurahanRef, reported: int) -> tuple:  # type: ignore[type-arg]
        rng = self.rng
        sex = "P" if category in (10, 23) else rng.choice("LP")
        born = demo._birth_date(rng, category, ANCHOR.date())
        first = rng.choice(FIRST_FEMALE if sex == "P" else FIRST_MALE)
        name = f"{first} {rng.choice(LAST)}"
        if rng.random() < 0.2:
            name = (
                f"{first} {rng.choice(FIRST_FEMALE if sex == 'P' else FIRST_MALE)} "
                f"{rng.choice(LAST)}"
            )
        has_nik = rng.random() > (0.5 if category in (4, 11, 12, 13) else 0.1)
        kec_code = kel.kecamatan_code
        region = (
            kec_code.replace(".", "")
            if rng.random() < 0.8
            else rng.choice(list(demo.OTHER_REGIONS))
        )
        issued = ANCHOR.date() - dt.timedelta(days=rng.randint(100, 5000))
        kk = f"{region}{issued:%d%m%y}{rng.randint(1, 9999):04d}" if has_nik else None
        desil = rng.choice((None, None, 1, 1, 2, 2, 3, 4, 5))
        created = ts(reported)
        return (
            client_id,
            name,
            self.niks(region, born, sex) if has_nik else None,
            kk,
            sex,
            str(born),
            f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 250)}",
            f"{rng.randint(1, 15):03d}",
            f"{rng.randint(1, 12):03d}",
            kel.code,
            phone(rng) if rng.random() < 0.7 else None,
            "terdaftar" if desil else rng.choice(("tidak_terdaftar", "tidak_diketahui")),
            desil,
            created,
            created,
        )

    def _handle(
        self,
        case: dict,
        reported: int,
        psm: list[int],
        author: int,  # type: ignore[type-arg]
        activities: list,
        assignments: list,
        followups: list,
    ) -> None:  # type: ignore[type-arg]
        """A non-new case's worker(s), timeline, follow-ups and, once finished, its outcome."""
        rng = self.rng
        case_id = case["id"]
        age = NOW_S - reported
        at = reported + int(age * rng.uniform(0.01, 0.1))
        worker = rng.choice(psm)
        if len(psm) > 1 and rng.random() < 0.05:
            earlier = rng.choice([w for w in psm if w != worker])
            handover = at + int((NOW_S - at) * rng.uniform(0.05, 0.3))
            assignments.append(
                (
                    case_id,
                    earlier,
                    author,
                    ts(at),
                    "PSM kelurahan dengan beban paling ringan",
                    ts(handover),
                )
            )
            activities.append((case_id, "penugasan", ASSIGNED, author, ts(at), earlier))
            at = handover
        case["worker"] = worker
        assignments.append(
            (case_id, worker, author, ts(at), "PSM kelurahan dengan beban paling ringan", None)
        )
        activities.append((case_id, "penugasan", ASSIGNED, author, ts(at), worker))
        version = 2
        last = at
        if case["status"] != "ditugaskan":
            for _ in range(rng.randint(1, 4)):
                kind = rng.choice(("kunjungan", "kunjungan", "catatan", "telepon"))
                last = min(NOW_S, last + int(age * rng.uniform(0.02, 0.2)))
                activities.append(
                    (case_id, kind, rng.choice(demo.NOTES[kind]), author, ts(last), worker)
                )
            version += 1
        if rng.random() < 0.45:
            last = max(last, self._followups(case, author, last, activities, followups))
        if case["status"] in ("selesai", "ditutup"):
            closed = min(NOW_S, last + rng.randint(3, 60) * 86400)
            case.update(outcome=rng.choice(demo.OUTCOMES), closed=closed)
            activities.append((case_id, "status", case["status"], author, ts(closed), worker))
            version += 1 if case["status"] == "selesai" else 2
            last = closed
        case.update(version=version, updated=last)

    def _followups(
        self,
        case: dict,
        author: int,
        at: int,  # type: ignore[type-arg]
        activities: list,
        rows: list,
    ) -> int:  # type: ignore[type-arg]
        rng = self.rng
        finished = case["status"] in ("selesai", "ditutup")
        opds = [o for o in demo.CATEGORY_OPDS.get(case["category"], ["DINSOS"]) if o in self.opds]
        latest = at
        today = ANCHOR.date()
        for opd in rng.sample(opds, k=min(len(opds), rng.randint(1, 2))):
            sent = min(NOW_S, at + rng.randint(0, 5) * 86400)
            sent_day = (EPOCH + dt.timedelta(seconds=sent)).date()
            due = sent_day + dt.timedelta(days=14)
            if finished:
                status = rng.choices(("selesai", "ditolak", "dibatalkan"), (80, 12, 8))[0]
            else:
                status = rng.choices(
                    ("dikirim", "diterima", "selesai", "ditolak"), (45, 35, 12, 8)
                )[0]
                if status in ("dikirim", "diterima"):
                    due = today + dt.timedelta(days=rng.randint(-30, 20))
            answered = status in ("diterima", "selesai", "ditolak")
            responded = min(NOW_S, sent + rng.randint(1, 20) * 86400) if answered else None
            rows.append(
                (
                    case["id"],
                    opd,
                    f"Mohon tindak lanjut: {case['description']}",
                    str(due),
                    status,
                    "Sudah ditindaklanjuti." if status == "selesai" else None,
                    ts(responded) if responded else None,
                    rng.choice(demo.REJECTIONS) if status == "ditolak" else None,
                    author,
                    ts(sent),
                    ts(responded or sent),
                )
            )
            activities.append((case["id"], "rujukan", f"ke {opd}", author, ts(sent), None))
            latest = max(latest, responded or sent)
        return latest


def meta_rows(total: int, seed: int) -> list[tuple[str, str]]:
    """The ``meta`` rows that mark a bench database complete (and what it was made from)."""
    return [
        ("bench_cases", str(total)),
        ("bench_seed", str(seed)),
        ("bench_generator", str(GENERATOR_VERSION)),
    ]


def audit_stamp(last: tuple[int, str] | None, total: int, seed: int) -> tuple[object, ...]:
    """The audit row recording the load, chained after ``last`` (id, row_hash) so that the
    audit chain still verifies."""
    last_id, previous = last or (0, audit_chain.GENESIS)
    row = (last_id + 1, str(ANCHOR), "psm-bench", "bench.generate", "database", None, None)
    row += ("{}", f"cases={total} seed={seed}")
    return (*row, audit_chain.row_hash(previous, row))


def generate(path: Path, total: int, seed: int = 1, progress: bool = True) -> Path:
    """Write a ``total``-case database at ``path`` (replaced if present) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    original = users.os_username
    users.os_username = lambda: os.environ.get("PSM_BENCH_ADMIN") or original()  # type: ignore[method-assign]
    try:
        database.open_database(str(partial))
        setup.initialise("Bench Admin")
        kelurahan, kecamatan = reference.all_kelurahan(), reference.all_kecamatan()
        # One 'rebuild' at the end indexes ~5x faster than the per-row triggers.
        sqlite.drop_case_search(database.db.obj)
        database.close_database()
    finally:
        users.os_username = original  # type: ignore[method-assign]
    conn = sqlite3.connect(partial, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-400000")
        conn.execute("BEGIN")
        # Secondary indexes are dropped for the load and rebuilt from their own SQL: sorting once
        # is far cheaper than millions of random inserts into a dozen b-trees.
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('client', 'case', 'assignment', 'activity', 'follow_up')"
        ).fetchall()
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        Generator(conn, total, seed, kelurahan, kecamatan).fill(progress)
        for _name, sql in indexes:
            conn.execute(sql)
        conn.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", meta_rows(total, seed)
        )
        last = conn.execute(
            "SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
        conn.execute(  # chained like every audit row (core/audit_chain.py)
            "INSERT INTO audit_log (id, at, username, action, entity, entity_id, case_number,"
            " changes, detail, row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            audit_stamp(last, total, seed),
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    database.open_database(str(partial))
    try:
        with database.db.atomic():
            sqlite.create_case_search(database.db.obj)
    finally:
        database.close_database()
    partial.replace(path)
    return path


def ensure(size: str, seed: int = 1, progress: bool = True) -> Path:
    """The cached database of ``size`` (generated on first use), with pending migrations applied."""
    path = cache_path(size, seed)
    if not path.exists():
        started = time.monotonic()
        generate(path, SIZES[size], seed, progress)
        if progress:
            print(f"  generated {path.name} in {time.monotonic() - started:.1f} s", file=sys.stderr)
    else:
        database.open_database(str(path))
        try:
            if database.pending_migrations():
                database.migrate()
        finally:
            database.close_database()
    return path
