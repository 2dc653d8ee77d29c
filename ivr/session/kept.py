"""A small memory of things a later connection will ask for once: bounded in size and age.

Used for the calls a worker transferred (they come back when nobody answers,
`ivr.session.returns`) and for the whispers waiting for the agent who answers
(`ivr.session.whispers`).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class KeptOnce(Generic[K, V]):
    """Key -> value, the most recent `max_kept` within `keep_s` seconds; `take` forgets."""

    def __init__(self, keep_s: float, max_kept: int) -> None:
        self.keep_s = keep_s
        self.max_kept = max_kept
        self._items: OrderedDict[K, tuple[V, float]] = OrderedDict()

    def put(self, key: K, value: V) -> None:
        self._items[key] = (value, time.monotonic())
        self._items.move_to_end(key)
        while len(self._items) > self.max_kept:
            self._items.popitem(last=False)

    def take(self, key: K) -> V | None:
        """The value kept for `key` (forgotten once taken), None when none or too old."""
        kept = self._items.pop(key, None)
        if kept is None or time.monotonic() - kept[1] > self.keep_s:
            return None
        return kept[0]
