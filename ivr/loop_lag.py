"""How late the event loop runs what is due: the stall every call on the loop shares (VAD,
paced audio out, dialogue steps). A sleeper asks to wake every `INTERVAL_S`; the time it
wakes past that is observed, in seconds, into the `ivr_loop_lag_seconds` histogram."""

from __future__ import annotations

import asyncio

from prometheus_client import Histogram

INTERVAL_S = 0.1


async def watch_loop_lag(histogram: Histogram, interval_s: float = INTERVAL_S) -> None:
    """Observe the loop's lateness until cancelled."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + interval_s
        await asyncio.sleep(interval_s)
        histogram.observe(max(0.0, loop.time() - due))
