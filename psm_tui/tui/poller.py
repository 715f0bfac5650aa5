"""Change detection: poll the database's data version and tell the app when it moves."""

from __future__ import annotations

import threading
from typing import Any

from textual.app import App

from psm_tui.core import session
from psm_tui.tui.messages import DataChanged


class DataVersionPoller:
    """A thread with one long-lived connection (SQLite's ``data_version`` is per connection)."""

    def __init__(self, app: App[Any], interval: float) -> None:
        self.app = app
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="psm-poller", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def _read(self) -> int | None:
        try:
            return session.data_version()
        except Exception:  # a busy or vanished database is retried next time
            session.close()
            return None

    def _run(self) -> None:
        last = self._read()
        try:
            while not self._stop.wait(self.interval):
                version = self._read()
                if version is None:
                    continue
                if last is not None and version != last:
                    self.app.post_message(DataChanged())
                last = version
        finally:
            session.close()
