"""Sign-in rate limit: at most N failures per key in a sliding window; past that, sign-in is
refused until the oldest failure leaves the window.

Sign-in counts failures per (client address, username), so guessing a user's password from
one address does not lock the real user out elsewhere, and per client address with a looser
limit (`ADDRESS_FACTOR` times as many), so one address cannot try many usernames.

Pure and thread-safe; the clock is injected (seconds, monotonic) so tests drive time.
Memory is bounded: old failures are dropped, and at most `max_keys` keys are tracked.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Iterable

ADDRESS_FACTOR = 4
"""An address may fail this many times `login_max_failures` within the window, over all the
usernames it tries."""


class LoginLimiter:
    def __init__(
        self,
        max_failures: int,
        window_s: float,
        clock: Callable[[], float],
        max_keys: int = 10_000,
    ) -> None:
        self._max = max_failures
        self._window = window_s
        self._clock = clock
        self._max_keys = max_keys
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self._window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, keys: Iterable[str]) -> int | None:
        """Seconds to wait if any key is blocked, None if sign-in may be tried."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                times = self._prune(key, now)
                if times is not None and len(times) >= self._max:
                    wait = max(wait, times[0] + self._window - now)
        return max(1, math.ceil(wait)) if wait > 0 else None

    def failure(self, keys: Iterable[str]) -> None:
        """Count one failed attempt against every key."""
        now = self._clock()
        with self._lock:
            for key in keys:
                times = self._prune(key, now)
                if times is None:
                    if len(self._failures) >= self._max_keys:
                        self._failures.pop(next(iter(self._failures)))
                    times = self._failures[key] = deque()
                times.append(now)
                while len(times) > self._max:
                    times.popleft()

    def success(self, key: str) -> None:
        """Forget a key's failures (the username after a correct sign-in)."""
        with self._lock:
            self._failures.pop(key, None)
