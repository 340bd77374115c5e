"""Run callables at the same moment, each on its own database connection: the
races that constraints and row locks must settle."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connection


def race(
    works: Sequence[Callable[[], object]], *, timeout: float = 120
) -> tuple[list[object], list[BaseException]]:
    """Start every callable behind one barrier, in its own thread; what each
    returned, and what each raised (in finishing order)."""
    barrier = threading.Barrier(len(works))
    results: list[object] = []
    errors: list[BaseException] = []

    def run(work: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(work())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(w,)) for w in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results, errors
