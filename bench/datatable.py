"""The baseline for the case list: every case loaded into a Textual ``DataTable``.

``python -m bench.datatable DB`` prints the seconds from starting the app to the table shown
with all rows (headless, 80x24). The rows come straight from ``sqlite3``, which flatters the
baseline: a peewee-backed table would be slower still.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time

from textual.app import App, ComposeResult
from textual.widgets import DataTable

SQL = """
SELECT c.number, c.reported_at, cl.name, k.name, cat.abbrev, c.priority, c.status, w.name
FROM "case" c JOIN client cl ON cl.id = c.client_id JOIN kelurahan k ON k.code = c.kelurahan_code
JOIN category cat ON cat.code = c.category_code LEFT JOIN worker w ON w.id = c.worker_id
ORDER BY c.reported_at DESC, c.id DESC
"""


class Baseline(App[None]):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(
            "Number", "Reported", "Client", "Kelurahan", "Cat.", "Priority", "Status", "PSM"
        )
        conn = sqlite3.connect(self.path)
        table.add_rows(conn.execute(SQL).fetchall())
        conn.close()


async def shown(path: str) -> float:
    start = time.perf_counter()
    app = Baseline(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        elapsed = time.perf_counter() - start
    return elapsed


if __name__ == "__main__":
    print(f"{asyncio.run(shown(sys.argv[1])):.4f}")
