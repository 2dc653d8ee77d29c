"""Run the same function from several threads at once (each with its own connection)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def run_together(count: int, work: Callable[[int], T]) -> list[T | BaseException]:
    """Start `count` calls of work(i) behind a barrier; results or raised exceptions, in order."""
    barrier = threading.Barrier(count)

    def one(i: int) -> T | BaseException:
        barrier.wait(timeout=30)
        try:
            return work(i)
        except Exception as err:  # the caller inspects every outcome
            return err

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))
