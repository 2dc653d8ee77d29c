"""Closing the records of calls that a dead worker left open.

Several `ivr serve` workers may share one database (README, "Several workers").
A worker killed mid-call never writes the end of its calls. No call can last longer than the
session's `max_call_s`, plus its polite ending (bounded like a shutdown, `shutdown_deadline_s`)
and the recorder's drain (`DRAIN_TIMEOUT_S`): an open call older than that is stale whichever
worker had it. Every worker closes such calls as `abandoned` when it starts and then every
`interval_s` seconds; the update is idempotent, so workers running it at once do no harm.
Times in seconds.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from ivr.session.recorder import DRAIN_TIMEOUT_S
from ivr.storage import calls
from ivr.storage.database import Database
from ivr.storage.errors import StorageError
from ivr.storage.types import utc_now

log = logging.getLogger(__name__)

MAX_INTERVAL_S = 60.0


@dataclass(frozen=True, slots=True)
class StaleCalls:
    """When an open call record counts as left behind."""

    max_call_s: float
    """The longest call a worker lets run, seconds."""
    ending_s: float
    """What a call may take to end after that (goodbye, recorder drain), seconds."""

    @property
    def age_s(self) -> float:
        """An open call older than this (seconds) is stale."""
        return self.max_call_s + self.ending_s + DRAIN_TIMEOUT_S

    @property
    def interval_s(self) -> float:
        """Seconds between sweeps: a stale call is closed within 1.5 x `age_s`."""
        return min(MAX_INTERVAL_S, self.age_s / 2)

    def cutoff(self, now: datetime) -> datetime:
        return now - timedelta(seconds=self.age_s)


async def sweep_once(database: Database, rule: StaleCalls) -> int:
    """Close the stale calls now; how many were closed (0 when the database fails)."""
    try:
        closed = await database.run(calls.close_stale_calls, rule.cutoff(utc_now()))
    except StorageError as err:
        log.warning("stale calls not swept: %s", err)
        return 0
    if closed:
        log.warning("%d call(s) left open by a stopped worker marked abandoned", closed)
    return closed


async def sweep_forever(database: Database, rule: StaleCalls) -> None:
    """`sweep_once` at start, then every `rule.interval_s` seconds, until cancelled."""
    while True:
        await sweep_once(database, rule)
        await asyncio.sleep(rule.interval_s)
