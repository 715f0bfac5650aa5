"""Shared fixtures: a fresh initialised database per test, and a demo database built once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from psm_tui import database
from psm_tui.i18n import set_language
from psm_tui.services import demo, setup, users
from psm_tui.services.dto import Actor


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
    monkeypatch.setattr(users, "os_username", lambda: "tester")
    set_language("en")
    yield
    database.close_database()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "psm.db"


@pytest.fixture
def initialised(db_path: Path) -> Path:
    """An initialised database whose first admin is the OS user ``tester``."""
    database.open_database(str(db_path))
    setup.initialise("Test Admin")
    return db_path


@pytest.fixture
def admin(initialised: Path) -> Actor:
    return users.actor_for("tester")


def make_user(admin: Actor, name: str, role: str, kecamatan: str | None = None) -> Actor:
    users.add_user(admin, name, role, full_name=name.title(), kecamatan=kecamatan)
    return users.actor_for(name)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database (seed 1, 5,000 cases) generated once per test process."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(users, "os_username", lambda: "tester")
        database.open_database(str(path))
        setup.initialise("Test Admin")
        demo.generate(seed=1, cases=5000)
        database.close_database()
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database, opened."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    path.chmod(0o600)
    database.open_database(str(path))
    return path
