"""A time budget per request for the work a visitor can ask for (an upload, a what-if).

The analysis runs in a worker thread; when it has not answered within the budget the request is
answered with a message and the server goes on serving (the worker finishes in the background —
its work is bounded by topo's caps on ordinals and nodes). At most `MAX_RUNNING` such analyses run
at once: a visitor who keeps asking is told to wait rather than piling up work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

T = TypeVar("T")

#: Seconds one upload or what-if may take before the request is answered with a message.
REQUEST_BUDGET_SECONDS = 30.0
MAX_RUNNING = 2

_pool = ThreadPoolExecutor(max_workers=MAX_RUNNING, thread_name_prefix="topo-request")
_slots = threading.BoundedSemaphore(MAX_RUNNING)


class OverBudget(Exception):
    """The work did not finish in time, or too much work is running already."""


def within_budget(work: Callable[..., T], *args: Any, seconds: float | None = None) -> T:
    """`work(*args)`, or OverBudget after `seconds` (default REQUEST_BUDGET_SECONDS)."""
    limit = REQUEST_BUDGET_SECONDS if seconds is None else seconds
    if not _slots.acquire(blocking=False):
        raise OverBudget(
            f"{MAX_RUNNING} analyses are still running (an earlier request took long): try again in a moment"
        )
    future = _pool.submit(work, *args)
    future.add_done_callback(lambda _: _slots.release())
    try:
        return future.result(timeout=limit)
    except FutureTimeout:
        raise OverBudget(
            f"the analysis took longer than {limit:.0f} s and was abandoned; the server keeps the previous view"
        ) from None
