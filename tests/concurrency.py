"""Running requests at once, each in its own thread: its own app context, session and
database connection, as in gunicorn with threads (SQLite) or several workers (PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: Requests running at once, and how many each makes, in the race tests.
THREADS = 8
EACH = 25
#: No race test may take longer than this, however slow the machine.
DEADLINE = 120


def race(work: Callable[[int], None], threads: int = THREADS) -> float:
    """Run work(0) … work(threads - 1) at once, each in its own thread (so each request has
    its own app context, session and database connection); return the seconds taken."""
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def run(i: int) -> None:
        try:
            start.wait(DEADLINE)
            work(i)
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    began = time.monotonic()
    pool = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(max(0.0, DEADLINE - (time.monotonic() - began)))
    assert not any(thread.is_alive() for thread in pool), f"still running after {DEADLINE}s"
    if errors:
        raise errors[0]
    return time.monotonic() - began
