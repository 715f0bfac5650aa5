"""Database work off the event loop: ``@db_worker`` makes a widget's method a Textual thread
worker (``@work(thread=True)``) that runs inside ``session.unit_of_work()``.

The method returns a typed message (a :class:`~psm_tui.tui.messages.JobResult`), which is
posted to the widget, whose ``@on`` handler shows it on the event loop. A failure is posted to
the widget as :class:`~psm_tui.tui.messages.JobFailed`; it bubbles up to the app, which shows
it (``PsmApp.show_error``), unless a screen on the way handles and stops it. A worker cancelled
meanwhile (a newer read in its exclusive group, its widget removed) posts nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from textual import work
from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker

from psm_tui.core import session
from psm_tui.tui.messages import JobFailed, JobResult

P = ParamSpec("P")
N = TypeVar("N", bound=DOMNode)

Job = Callable[Concatenate[N, P], JobResult]
Started = Callable[Concatenate[N, P], Worker[None]]


def db_worker(
    *, group: str = "db", exclusive: bool = False
) -> Callable[[Job[N, P]], Started[N, P]]:
    """Run the decorated method in a thread worker of ``group`` (``exclusive``: a new call
    cancels the running one) and post the message it returns to its widget."""

    def decorate(method: Job[N, P]) -> Started[N, P]:
        @functools.wraps(method)
        def run(owner: N, *args: P.args, **kwargs: P.kwargs) -> None:
            worker = get_current_worker()
            try:
                with session.unit_of_work():
                    result = method(owner, *args, **kwargs)
            except Exception as error:  # every failure is reported, none is fatal
                if not worker.is_cancelled:
                    owner.post_message(JobFailed(owner, error, group))
                return
            if not worker.is_cancelled:
                owner.post_message(result)

        return work(thread=True, group=group, exclusive=exclusive, exit_on_error=False)(run)

    return decorate
