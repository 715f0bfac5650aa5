"""Database work off the event loop: each job runs in a thread worker with its own connection
and posts its result (or its error) back to the app as a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker

from psm_tui.core import session
from psm_tui.tui.messages import JobDone, JobFailed

T = TypeVar("T")


def run_db(
    owner: DOMNode,
    job: Callable[[], T],
    done: Callable[[T], object] | None = None,
    *,
    on_error: Callable[[BaseException], bool] | None = None,
    group: str = "db",
    exclusive: bool = False,
) -> Worker[None]:
    """Run ``job()`` in a thread; ``done(result)`` then runs on the event loop if ``owner`` is
    still mounted. Errors never kill the app: the app shows them (see ``PsmApp.show_error``)."""
    app = owner.app

    def work() -> None:
        worker = get_current_worker()
        try:
            with session.unit_of_work():
                result: Any = job()
        except Exception as error:  # every failure is reported, none is fatal
            if not worker.is_cancelled:
                app.post_message(JobFailed(owner, error, on_error))
            return
        if not worker.is_cancelled:
            app.post_message(JobDone(owner, done, result))

    return owner.run_worker(
        work, thread=True, exit_on_error=False, group=group, exclusive=exclusive
    )
