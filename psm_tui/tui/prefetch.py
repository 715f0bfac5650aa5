"""A database read started before the app that needs it exists (no Textual imported here)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Generic, TypeVar

from psm_tui.core import session

if TYPE_CHECKING:
    from textual.dom import DOMNode

T = TypeVar("T")


class Prefetch(Generic[T]):
    """``job()`` runs at once in a thread of its own; ``then(owner, done)`` later runs
    ``done(result)`` on the app's event loop (at once if the result has come), and a failure
    is reported like any job's (see ``PsmApp.show_error``)."""

    def __init__(self, job: Callable[[], T]) -> None:
        self._future: Future[T] = Future()

        def work() -> None:
            try:
                with session.unit_of_work():
                    self._future.set_result(job())
            except Exception as error:  # reported by then()
                self._future.set_exception(error)

        threading.Thread(target=work, name="psm-prefetch", daemon=True).start()

    def then(self, owner: DOMNode, done: Callable[[T], object]) -> None:
        from psm_tui.tui.messages import JobDone, JobFailed

        app = owner.app

        def deliver(future: Future[T]) -> None:
            error = future.exception()
            if error is not None:
                app.post_message(JobFailed(owner, error, None))
            else:
                app.post_message(JobDone(owner, done, future.result()))

        if self._future.done() and self._future.exception() is None:
            done(self._future.result())
        else:
            self._future.add_done_callback(deliver)
