"""`ivr serve` freezes its start-up heap: a full garbage collection while calls run walks only
what they allocate (unfrozen, it paused every call's audio some 90 ms; issue 16)."""

from __future__ import annotations

import gc
import time

from ivr.cli.serve import frozen_heap  # (it imports the whole service)


def full_collection_s() -> float:
    """The shortest of three full collections, seconds."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        gc.collect()
        times.append(time.perf_counter() - start)
    return min(times)


def test_a_frozen_heap_makes_full_collections_short_and_is_released_after() -> None:
    unfrozen = full_collection_s()
    with frozen_heap():
        assert gc.get_freeze_count() > 10_000  # what was built so far is out of reach
        frozen = full_collection_s()
    assert gc.get_freeze_count() == 0  # collectable again once the service stopped
    assert frozen < unfrozen / 3
