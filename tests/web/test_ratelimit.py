"""The sign-in rate limit on its own: a sliding window per key, bounded memory."""

from __future__ import annotations

from ivr.web.ratelimit import LoginLimiter
from tests.web.doubles import ManualClock


def test_the_sixth_attempt_waits_for_the_oldest_failure_to_leave_the_window() -> None:
    clock = ManualClock()
    limiter = LoginLimiter(max_failures=5, window_s=300, clock=clock)
    for _ in range(5):
        assert limiter.retry_after(["user:bob"]) is None
        limiter.failure(["user:bob"])
        clock.advance(10)
    assert limiter.retry_after(["user:bob"]) == 250
    assert limiter.retry_after(["user:alice"]) is None
    assert limiter.retry_after(["user:alice", "user:bob"]) == 250
    clock.advance(250)
    assert limiter.retry_after(["user:bob"]) is None  # one failure left the window
    limiter.failure(["user:bob"])
    assert limiter.retry_after(["user:bob"]) == 10


def test_success_clears_the_username_only() -> None:
    clock = ManualClock()
    limiter = LoginLimiter(max_failures=2, window_s=60, clock=clock)
    limiter.failure(["user:bob", "addr:10"])
    limiter.failure(["user:bob", "addr:10"])
    limiter.success("user:bob")
    assert limiter.retry_after(["user:bob"]) is None
    assert limiter.retry_after(["addr:10"]) == 60


def test_memory_stays_bounded() -> None:
    clock = ManualClock()
    limiter = LoginLimiter(max_failures=1, window_s=60, clock=clock, max_keys=3)
    for i in range(10):
        limiter.failure([f"user:{i}"])
    blocked = [i for i in range(10) if limiter.retry_after([f"user:{i}"]) is not None]
    assert blocked == [7, 8, 9]
