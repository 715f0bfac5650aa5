"""A database read started before the app that needs it exists (no Textual imported here)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Generic, TypeVar

from psm_tui.core import session

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from psm_tui.tui.messages import JobResult

T = TypeVar("T")


class Prefetch(Generic[T]):
    """``job()`` runs at once in a thread of its own; ``then(owner, message)`` later posts
    ``message(result)`` to ``owner`` (a typed result, as a thread worker's would be), and a
    failure is reported like any job's (see ``PsmApp.show_error``)."""

    def __init__(self, job: Callable[[], T]) -> None:
        self._future: Future[T] = Future()

        def work() -> None:
            try:
                with session.unit_of_work():
                    result = job()
            except Exception as error:  # reported by then()
                self._future.set_exception(error)
            else:  # after the connection is let go: a failure there is the result's too
                self._future.set_result(result)

        threading.Thread(target=work, name="psm-prefetch", daemon=True).start()

    def then(self, owner: DOMNode, message: Callable[[T], JobResult]) -> None:
        from psm_tui.tui.messages import JobFailed

        def deliver(future: Future[T]) -> None:
            error = future.exception()
            if error is not None:  # straight to the app: nobody else handles a prefetch's
                owner.app.post_message(JobFailed(owner, error))
            else:
                owner.post_message(message(future.result()))

        self._future.add_done_callback(deliver)
