"""psm's PostgreSQL sessions are opened with JIT off (it only ever made psm's queries slower:
bench/notes/pgbench.md), whatever options the URL brings."""

from __future__ import annotations

import pytest

from psm_tui.store import database
from psm_tui.store.database import db
from tests.pg_server import URL

pytestmark = pytest.mark.skipif(URL is None, reason="needs PSM_TEST_DATABASE_URL")


def test_sessions_run_without_jit(initialised: str) -> None:
    separator = "&" if "?" in initialised else "?"
    database.open_database(f"{initialised}{separator}application_name=psm_test")
    with db.connection_context():
        settings = db.execute_sql(
            "SELECT current_setting('jit'), current_setting('application_name')"
        ).fetchone()
    assert settings == ("off", "psm_test")
