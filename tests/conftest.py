"""Shared fixtures: a fresh initialised database per test, and a demo database built once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from psm_tui.core import setup, users
from psm_tui.core.dto import Actor
from psm_tui.i18n import set_language
from psm_tui.ops import demo
from psm_tui.store import database
from tests.pg_server import URL as PG_URL
from tests.pg_server import PgServer

# With PSM_TEST_DATABASE_URL set, the database fixtures below are PostgreSQL databases (their
# URL in place of a file path) and tests marked ``sqlite_only`` are skipped.
PG = PgServer(PG_URL) if PG_URL else None


def pytest_sessionstart(session: pytest.Session) -> None:
    if PG is not None:
        PG.drop_leftovers()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if PG is not None:
        PG.drop_leftovers(ours=True)


def pytest_report_header(config: pytest.Config) -> str:
    return f"database backend: {'postgresql' if PG is not None else 'sqlite'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PG is None:
        return
    skip = pytest.mark.skip(reason="SQLite files only (backup, file modes, locks, pragmas)")
    once = pytest.mark.skip(reason="rendered once, in the SQLite run (the same documents)")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)
        elif item.get_closest_marker("render"):
            item.add_marker(once)


def _pg_copy(template: str | None) -> Iterator[str]:
    """A private PostgreSQL database for one test (empty, or a copy of ``template``)."""
    assert PG is not None
    name = PG.create(template)
    yield PG.url_for(name)
    database.close_database()
    PG.drop(name)


@pytest.fixture(autouse=True)
def _english_and_isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Messages in English for stable assertions; no test reads the developer's own config."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local/state"))
    monkeypatch.delenv("PSM_DATABASE", raising=False)
    monkeypatch.delenv("PSM_LANG", raising=False)
    monkeypatch.delenv("PSM_SYSTEM_CONFIG", raising=False)
    monkeypatch.setenv("LANGUAGE", "en")  # restored after a test in which click spoke Indonesian
    monkeypatch.setattr(users, "os_username", lambda: "tester")
    set_language("en")
    yield
    database.close_database()


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[Path]:
    """Where a test's database lives: a file, or (PostgreSQL) the URL of an empty database."""
    if PG is None:
        folder = tmp_path / "data"  # files a test exports go beside it, never into its folder
        folder.mkdir()
        yield folder / "psm.db"
    else:
        yield from _pg_copy(None)  # type: ignore[misc]


@pytest.fixture(scope="session")
def init_template() -> Iterator[str | None]:
    """PostgreSQL: one initialised database per test process, copied for each test."""
    if PG is None:
        yield None
        return
    name = PG.create()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(users, "os_username", lambda: "tester")
        database.open_database(PG.url_for(name))
        setup.initialise("Test Admin")
        database.close_database()
    yield name


@pytest.fixture
def initialised(request: pytest.FixtureRequest, init_template: str | None) -> Iterator[Path]:
    """An initialised database whose first admin is the OS user ``tester``."""
    if init_template is None:
        path: Path = request.getfixturevalue("db_path")
        database.open_database(str(path))
        setup.initialise("Test Admin")
        yield path
        return
    for url in _pg_copy(init_template):
        database.open_database(url)
        yield url  # type: ignore[misc]


@pytest.fixture
def admin(initialised: Path) -> Actor:
    return users.actor_for("tester")


def make_user(admin: Actor, name: str, role: str, kecamatan: str | None = None) -> Actor:
    users.add_user(admin, name, role, full_name=name.title(), kecamatan=kecamatan)
    return users.actor_for(name)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """A demo database (seed 1, 5,000 cases) generated once per test process."""
    location: Path | str
    location = tmp_path_factory.mktemp("demo") / "demo.db" if PG is None else PG.create()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(users, "os_username", lambda: "tester")
        database.open_database(str(location) if PG is None else PG.url_for(str(location)))
        setup.initialise("Test Admin")
        demo.generate(seed=1, cases=5000)
        database.close_database()
    return location


@pytest.fixture
def demo_db(demo_template: Path | str, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the demo database, opened."""
    if PG is not None:
        for url in _pg_copy(str(demo_template)):
            database.open_database(url)
            yield url  # type: ignore[misc]
        return
    path = tmp_path / "data" / "demo.db"  # exports go to tmp_path, never the database's folder
    path.parent.mkdir()
    shutil.copy(demo_template, path)
    path.chmod(0o600)
    database.open_database(str(path))
    yield path
