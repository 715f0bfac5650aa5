"""Service-level measures, in process, each with its floor: the same SQL through ``sqlite3``.

The floor is taken by recording every statement (and its parameters) a service call sends to
the database, then replaying exactly those statements on a plain ``sqlite3`` connection with
the same pragmas and fetching every row. What the data layer adds (query building, row to model
to dataclass) is the ratio between the two.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from bench.stats import Row, Target, timed
from psm_tui.core import case_queries, users
from psm_tui.core.case_queries import CaseFilter
from psm_tui.core.dto import Actor
from psm_tui.core.files.output import FileOutput
from psm_tui.store import database
from psm_tui.store.database import db
from psm_tui.store.dialects import sqlite
from psm_tui.store.models import Case, Client

Statement = tuple[str, tuple[object, ...]]
PAGE = 50
SEARCH = Target(0.050, p95=0.100)


@contextlib.contextmanager
def recording() -> Iterator[list[Statement]]:
    """Record the SQL the open database executes inside the block."""
    database_obj = db.obj
    original = database_obj.execute_sql
    statements: list[Statement] = []

    def execute_sql(sql: str, params: object = None) -> object:
        statements.append((sql, tuple(params or ())))  # type: ignore[arg-type]
        return original(sql, params)

    database_obj.execute_sql = execute_sql  # type: ignore[method-assign]
    try:
        yield statements
    finally:
        del database_obj.execute_sql


class Floor:
    """Replays recorded statements through the ``sqlite3`` module alone."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for key, value in sqlite.SQLITE_PRAGMAS.items():
            self.conn.execute(f"PRAGMA {key} = {value}")

    def replay(self, statements: list[Statement]) -> Callable[[], None]:
        reads = [
            (sql, params)
            for sql, params in statements
            if sql.lstrip().upper().startswith(("SELECT", "WITH"))
        ]

        def run() -> None:
            for sql, params in reads:
                self.conn.execute(sql, params).fetchall()

        return run


class PostgresqlFloor(Floor):
    """Replays recorded statements through plain psycopg, on a session opened with the very
    parameters psm's own connection was (its options included)."""

    def __init__(self, database_obj: object) -> None:
        from bench.generate_pg import psycopg

        self.conn = psycopg().connect(
            dbname=database_obj.database,  # type: ignore[attr-defined]
            autocommit=True,
            **database_obj.connect_params,  # type: ignore[attr-defined]
        )


class ServiceBench:
    def __init__(self, path: Path | str, trials: int) -> None:
        """``path``: a SQLite file, or a ``postgresql://`` URL (bench/generate_pg.py)."""
        self.path = path
        self.trials = trials or 20
        database.open_database(str(path))
        db.connect(reuse_if_open=True)
        admin = users.os_username()
        self.actor: Actor = users.actor_for(admin)
        self.floor = Floor(path) if isinstance(path, Path) else PostgresqlFloor(db.obj)
        self.rows: list[Row] = []

    def case_number(self, index: int) -> str:
        """The number of the ``index``-th case by id (the CLI's ``case show``)."""
        return str(Case.select(Case.number).order_by(Case.id).limit(1).offset(index).scalar())

    def close(self) -> None:
        self.floor.conn.close()
        database.close_database()

    def measure(
        self,
        group: str,
        name: str,
        fn: Callable[[], object],
        *,
        target: Target | None = None,
        ratio: float | None = None,
        floor: bool = True,
        trials: int | None = None,
        note: str = "",
    ) -> Row:
        with recording() as statements:
            fn()
        samples = timed(fn, trials or self.trials)
        floor_samples = (
            timed(self.floor.replay(statements), trials or self.trials)
            if floor and statements
            else []
        )
        row = Row(
            group, name, samples, floor=floor_samples, target=target, ratio_target=ratio, note=note
        )
        self.rows.append(row)
        return row

    # -- the case list ---------------------------------------------------------------------
    def case_list(self) -> int:
        actor = self.actor
        self.measure(
            "list",
            "first page",
            lambda: case_queries.list_cases(actor, limit=PAGE),
            target=Target(0.100),
            ratio=1.5,
        )
        self.measure(
            "list",
            "first page, 200 rows (TUI page)",
            lambda: case_queries.list_cases(actor, limit=200),
            ratio=1.5,
        )
        total = case_queries.count_cases()
        self.measure("list", "count all", case_queries.count_cases)
        pages = iter(range(1, 10**9))
        self.measure(
            "list",
            "page down",
            lambda: case_queries.list_cases(actor, limit=PAGE, offset=PAGE * next(pages)),
            target=Target(0.050),
            ratio=1.5,
        )
        self.measure(
            "list",
            "jump to end",
            lambda: case_queries.list_cases(actor, limit=PAGE, offset=total - PAGE),
            target=Target(0.150),
            ratio=1.5,
        )
        return total

    def filter_change(self) -> None:
        actor = self.actor
        kecamatan = "36.71.05"
        filters = CaseFilter(status=("ditangani",), kecamatan=kecamatan)

        def change() -> None:
            case_queries.count_cases(filters)
            case_queries.list_cases(actor, filters, limit=PAGE)

        self.measure(
            "list", "filter change + count", change, target=Target(0.150), note="status+kecamatan"
        )
        open_filter = CaseFilter(status=("baru", "ditugaskan", "ditangani"))

        def change_open() -> None:
            case_queries.count_cases(open_filter)
            case_queries.list_cases(actor, open_filter, limit=PAGE)

        self.measure(
            "list", "filter change + count", change_open, target=Target(0.150), note="open statuses"
        )

    # -- search ------------------------------------------------------------------------------
    def search(self) -> None:
        actor = self.actor
        client = Client.select().where(Client.nik.is_null(False)).order_by(Client.id.desc()).get()
        # limit + offset: get() would page to the first row and drop the offset.
        deep = min(1000, Case.select().count() // 2)
        number = Case.select(Case.number).order_by(Case.id.desc()).limit(1).offset(deep).scalar()
        queries = {
            "name": client.name,
            "name prefix": client.name.split()[-1][:5].lower(),
            "NIK": client.nik,
            "case number": number,
            "description words": "kursi roda",
            "punctuation": "covid-19",
        }
        for label, text in queries.items():
            filters = CaseFilter(search=text)
            self.measure(
                "search",
                label,
                lambda f=filters: case_queries.list_cases(actor, f, limit=PAGE),
                target=SEARCH,
                ratio=1.5,
                note=text,
            )
        for label in ("name prefix", "description words"):
            filters = CaseFilter(search=queries[label])
            self.measure(
                "search",
                f"{label}: count",
                lambda f=filters: case_queries.count_cases(f),
                note=f"{case_queries.count_cases(filters):,} hits",
            )

    # -- the person and the household (issue 17) ---------------------------------------------
    def people(self) -> None:
        """Opening the client page and the household view of the busiest person and No. KK
        (with an ordinary case, so a scoped operator may open them too): the reads their
        screens' workers make, as the admin and as an operator of the person's kecamatan, who
        also pays for the sensitive-case checks. The view's audit row is left out, so the cached
        database is not written."""
        from psm_tui.core import clients, households

        client_id, cases, kecamatan = db.execute_sql(
            'SELECT c.client_id, COUNT(*) AS n, MIN(k.kecamatan_code) FROM "case" AS c'
            " JOIN kelurahan AS k ON k.code = c.kelurahan_code GROUP BY c.client_id"
            " HAVING SUM(CASE WHEN c.sensitive THEN 1 ELSE 0 END) < COUNT(*)"
            " ORDER BY n DESC, c.client_id LIMIT 1"
        ).fetchone()
        kk, members, kk_kecamatan = db.execute_sql(
            "SELECT cl.kk, COUNT(*) AS n, MIN(k.kecamatan_code) FROM client AS cl"
            " JOIN kelurahan AS k ON k.code = cl.kelurahan_code WHERE cl.kk IS NOT NULL"
            " GROUP BY cl.kk ORDER BY n DESC, cl.kk LIMIT 1"
        ).fetchone()
        operator = Actor(0, "bench-operator", "Bench Operator", "operator", kecamatan)
        kk_operator = Actor(0, "bench-operator", "Bench Operator", "operator", kk_kecamatan)
        for who, client_actor, kk_actor in (
            ("admin", self.actor, self.actor),
            ("operator", operator, kk_operator),
        ):
            self.measure(
                "people",
                f"client page (clients.client_record), {who}",
                lambda a=client_actor: clients.client_record(a, client_id),
                target=Target(0.100),
                note=f"{cases} cases",
            )
            self.measure(
                "people",
                f"household view (households.household), {who}",
                lambda a=kk_actor: households.household(a, kk),
                target=Target(0.100),
                note=f"{members} members",
            )

    # -- what other views show ---------------------------------------------------------------
    def views(self, export_rows: int = 100_000) -> None:
        actor = self.actor
        if importlib.util.find_spec("psm_tui.core.dashboard"):
            from psm_tui.core import dashboard

            self.measure(
                "view",
                "dashboard figures",
                lambda: dashboard.figures(actor),
                target=Target(0.300),
                trials=min(self.trials, 10),
            )
        if importlib.util.find_spec("psm_tui.core.reports"):
            from psm_tui.core import reports

            self.measure(
                "view",
                "Laporan (reports.overview)",
                lambda: reports.overview(),
                trials=min(self.trials, 5),
            )
        if importlib.util.find_spec("psm_tui.presentation.exports"):
            self._export(actor, export_rows)

    def _export(self, actor: Actor, wanted: int) -> None:
        from psm_tui.core import reference
        from psm_tui.presentation import exports

        candidates = [CaseFilter()] + [
            CaseFilter(kecamatan=k.code) for k in reference.all_kecamatan()
        ]
        counts = [
            (abs(case_queries.count_cases(f) - wanted), case_queries.count_cases(f), f)
            for f in candidates
        ]
        _distance, rows, filters = min(counts, key=lambda c: c[0])
        with tempfile.TemporaryDirectory() as tmp:
            output = FileOutput(Path(tmp), "cases.csv", force=True)
            request = exports.ExportRequest(kind="cases", fmt="csv", filters=filters)
            self.measure(
                "view",
                "export cases to CSV",
                lambda: exports.run_export(actor, request, output),
                trials=min(self.trials, 3),
                floor=False,
                note=f"{rows:,} rows",
            )
