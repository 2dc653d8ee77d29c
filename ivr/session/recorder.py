"""The call record in the database: start, turns (masked by `ivr.storage.calls.add_turn`),
outcome. Writes go through a per-call queue in order, off the call's path, so the caller
never waits on the database. A write that fails is tried again after each of
`RETRY_DELAYS_S` (about 12 s in all: a database restarting is back within them), the later
writes waiting behind it in order; past them it is logged once and the call goes on
unrecorded. Outcomes: resolved, transferred, callback, abandoned.

Every write tried again is idempotent, because a failure does not tell whether the COMMIT
went through (the connection can drop after it, before its answer): a turn carries a key
made when it is queued (`ivr.storage.calls.add_turn` finds the turn already stored under it),
a turn's time and the call's end time are taken when queued, so the end written again sets
the same values, and a start tried again finds the call stored with its own start time
(`ivr.storage.calls.start_call_again`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from typing import Any

from ivr.storage import calls
from ivr.storage.database import Database
from ivr.storage.errors import Conflict, StorageError
from ivr.storage.types import utc_now

log = logging.getLogger(__name__)

DRAIN_TIMEOUT_S = 5.0
"""Longest wait at the end of a call for its queued writes, seconds (retries included)."""
RETRY_DELAYS_S = (0.25, 0.5, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0)
"""Waits before each new try of a record write that failed, seconds."""
WAITED_RETRY_DELAYS_S = (0.25, 0.5, 1.0)
"""Waits before each new try of a write the caller waits for (a callback request), seconds:
short, the caller hears nothing meanwhile; a dropped connection is replaced within them."""


class CallRecorder:
    """Records one call; every method returns at once (the write is queued)."""

    def __init__(self, database: Database | None, call_id: str,
                 retry_delays_s: tuple[float, ...] = RETRY_DELAYS_S) -> None:
        self.database = database
        self.call_id = call_id
        self.retry_delays_s = retry_delays_s
        """Waits before each new try of a failed write, seconds (`RETRY_DELAYS_S`)."""
        self.ok = database is not None
        """False once a write failed past its retries (later writes are skipped)."""
        self.retries = 0
        """Writes tried again after a failure (each retry counts)."""
        self.started = False
        self._queue: asyncio.Queue[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]
        self._queue = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def start(self, caller_number: str | None) -> None:
        """Record the call's start. The first try is awaited, so that the call's bookings
        can refer to it (`started`). When it fails, the start is tried again in the
        background like any other write (`calls.start_call_again`, at the same start time),
        the turns waiting behind it: the call is recorded once the database is back, but
        its bookings, made before, do not refer to it."""
        if self.database is None:
            return
        at = utc_now()
        try:
            await self.database.run(calls.start_call, self.call_id, caller_number, at)
        except Conflict:
            # Not a database failure: the peer sent the UUID of a call already recorded (and
            # not a transfer coming back). This call goes on unrecorded; the first is kept.
            self.ok = False
            log.warning("call %s: not recorded, a call with this UUID is already recorded",
                        self.call_id)
            return
        except StorageError as err:
            log.warning("call %s: its start could not be recorded (%s); trying again for up "
                        "to %.1f s", self.call_id, err.code, sum(self.retry_delays_s))
            self.retries += 1
            wait_s = self.retry_delays_s[0] if self.retry_delays_s else 0.0
            self._task = asyncio.create_task(self._writer(wait_s),
                                             name=f"recorder-{self.call_id}")
            self._put(calls.start_call_again, self.call_id, caller_number, at)
            return
        self.started = True
        self._task = asyncio.create_task(self._writer(), name=f"recorder-{self.call_id}")

    def resume(self) -> None:
        """Go on recording a call already recorded (back from a transfer nobody answered)."""
        if self.database is None or self._task is not None:
            return
        self.started = True
        self._task = asyncio.create_task(self._writer(), name=f"recorder-{self.call_id}")

    def turn(
        self, speaker: str, text: str, *, intent: str | None = None,
        confidence: float | None = None, intent_confidence: float | None = None,
    ) -> None:
        """`confidence`: the recogniser's (ASR); `intent_confidence`: the understanding's."""
        if text.strip():
            self._put(calls.add_turn, self.call_id, speaker, text, intent=intent,
                      confidence=confidence, intent_confidence=intent_confidence,
                      at=utc_now(), key=str(uuid.uuid4()))

    def end(self, outcome: str, *, summary: str | None = None, queue: str | None = None,
            reason: str | None = None) -> None:
        self._put(calls.end_call, self.call_id, outcome, summary=summary,
                  transfer_queue=queue, transfer_reason=reason, ended_at=utc_now())

    async def run(self, func: Callable[..., Any], *args: Any,
                  retry_delays_s: tuple[float, ...] = (), **kwargs: Any) -> Any:
        """A write the call waits for (e.g. a callback request and its id), tried again after
        each of `retry_delays_s` while the database fails (the write must then be idempotent).
        Queued behind the call record's writes while the call is recorded; written at once
        otherwise (it cannot refer to the call, and must not wait behind a start being tried
        again)."""
        if self.database is None:
            raise StorageError("no database: nothing can be stored")
        if self._task is None or not self.started:
            return await self._write(func, args, kwargs, retry_delays_s)
        done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._put(func, *args, _future=done, _delays=retry_delays_s, **kwargs)
        return await done

    def _put(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        if self.database is None or self._task is None:
            future = kwargs.get("_future")
            if future is not None and not future.done():
                future.set_exception(StorageError("no database: nothing can be stored"))
            return
        self._queue.put_nowait((func, args, kwargs))

    async def _writer(self, wait_s: float = 0.0) -> None:
        """Write what is queued, in order, from `wait_s` on (a start that failed waits
        before it is tried again)."""
        assert self.database is not None
        await asyncio.sleep(wait_s)
        while True:
            func, args, kwargs = await self._queue.get()
            future: asyncio.Future[Any] | None = kwargs.pop("_future", None)
            delays: tuple[float, ...] | None = kwargs.pop("_delays", None)
            try:
                if not self.ok and future is None:
                    continue
                result = await self._write(func, args, kwargs, delays)
            except StorageError as err:
                if future is not None:
                    future.set_exception(err)
                elif self.ok:
                    self.ok = False
                    log.error("call %s: the call record could not be written (%s: %s); "
                              "the call goes on unrecorded", self.call_id, err.code, err)
            else:
                if future is not None and not future.done():
                    future.set_result(result)
            finally:
                self._queue.task_done()

    async def _write(
        self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
        delays: tuple[float, ...] | None = None,
    ) -> Any:
        """One write, tried again after each of `delays` (default `retry_delays_s`) while
        the database fails (never for a `Conflict`: trying again would not change it)."""
        assert self.database is not None
        waits = self.retry_delays_s if delays is None else delays
        for delay in (*waits, None):
            try:
                return await self.database.run(func, *args, **kwargs)
            except Conflict:
                raise
            except StorageError as err:
                if delay is None:
                    raise
                if self.retries == 0:
                    log.warning("call %s: a call record write failed (%s); trying again for "
                                "up to %.1f s", self.call_id, err.code, sum(waits))
                self.retries += 1
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def close(self) -> None:
        """Write what is queued (up to a few seconds), then stop."""
        if self._task is None:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DRAIN_TIMEOUT_S):
                await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
