"""Sign-in rate limit: at most N failures per key in a sliding window; past that, sign-in is
refused until the oldest failure leaves the window.

Sign-in counts failures per (client address, username), so guessing a user's password from
one address does not lock the real user out elsewhere, and per client address with a looser
limit (`ADDRESS_FACTOR` times as many), so one address cannot try many usernames.

`LoginLimiter` is in memory, pure and thread-safe; the clock is injected (seconds,
monotonic) so tests drive time. Memory is bounded: old failures are dropped, and at most
`max_keys` keys are tracked. `SharedLoginLimiter` keeps the failures in the database instead
(`ivr.storage.sign_in_failures`), so that several workers apply one limit: the back office's
sign-in uses it; its clock is wall-clock seconds, the same on every machine.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Protocol

from ivr.storage import sign_in_failures
from ivr.storage.database import Database

ADDRESS_FACTOR = 4
"""An address may fail this many times `login_max_failures` within the window, over all the
usernames it tries."""


class Limiter(Protocol):
    def retry_after(self, keys: Iterable[str]) -> int | None: ...

    def failure(self, keys: Iterable[str]) -> None: ...

    def success(self, key: str) -> None: ...


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


class SharedLoginLimiter:
    """The same limit as `LoginLimiter`, counted in the database for every worker."""

    def __init__(self, database: Database, max_failures: int, window_s: float,
                 clock: Callable[[], float]) -> None:
        self._database = database
        self._max = max_failures
        self._window = window_s
        self._clock = clock

    def retry_after(self, keys: Iterable[str]) -> int | None:
        now = self._clock()
        with self._database.transaction() as s:
            found = sign_in_failures.recent_failures(s, list(keys), now - self._window)
        # blocked until enough failures leave the window for fewer than the limit to remain
        waits = [times[-self._max] + self._window - now for times in found.values()
                 if len(times) >= self._max]
        wait = max(waits, default=0.0)
        return max(1, math.ceil(wait)) if wait > 0 else None

    def failure(self, keys: Iterable[str]) -> None:
        now = self._clock()
        with self._database.transaction() as s:
            sign_in_failures.add_failure(s, list(keys), now, now - self._window)

    def success(self, key: str) -> None:
        with self._database.transaction() as s:
            sign_in_failures.forget(s, key)
