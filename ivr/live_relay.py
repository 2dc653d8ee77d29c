"""Several workers, one switchboard: each worker's live call events reach every other
worker's hub through PostgreSQL LISTEN/NOTIFY, so an agent signed in on any worker sees every
call in progress, with its transcript, in order.

Each worker has a name (random at start). `LiveRelay` hands every event its hub publishes to
PostgreSQL as `NOTIFY standardiste_live, '{"w": worker, "e": event}'` (an event larger than a
notification's 8000 bytes is stored in `live_payloads` and the notification names its row),
and listens on the same channel: an event from another worker goes into this hub with
`LiveHub.receive`. A notification is delivered to the listeners after its sender's
transaction (here: each one alone, autocommit), in the order they were sent: a call's events
arrive in order. Each worker also notifies a heartbeat every `heartbeat_s`; a worker silent
for `silent_after_s` is taken for dead, and its calls leave the other consoles (no "end" will
come from it).

Nothing is stored for the live view (the call records are in the database already); events
sent while PostgreSQL is unreachable are lost for the other consoles (logged), and the
relay reconnects by itself. SQLite deployments have one machine: no relay.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from ivr.live import CallEvent, LiveHub
from ivr.storage.types import utc_now

log = logging.getLogger(__name__)

CHANNEL = "standardiste_live"
MAX_NOTIFY_BYTES = 7900
"""Larger payloads go by reference (PostgreSQL's limit is 8000 bytes)."""
KEEP_PAYLOADS = timedelta(hours=1)
OUTBOX_SIZE = 10_000


def conninfo(url: str) -> str:
    """A libpq connection string from the SQLAlchemy URL of the database settings."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        raise ValueError("the live relay needs PostgreSQL")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


class LiveRelay:
    """Relays a hub's events to the other workers' hubs, and theirs to it."""

    def __init__(self, hub: LiveHub, url: str, *, worker: str | None = None,
                 heartbeat_s: float = 5.0, silent_after_s: float = 20.0,
                 reconnect_max_s: float = 10.0) -> None:
        self.hub = hub
        self.worker = worker or f"{socket.gethostname()}-{uuid.uuid4().hex[:6]}"
        self.heartbeat_s = heartbeat_s
        self.silent_after_s = silent_after_s
        self.reconnect_max_s = reconnect_max_s
        self._conninfo = conninfo(url)
        self._outbox: asyncio.Queue[str] = asyncio.Queue(OUTBOX_SIZE)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._seen: dict[str, float] = {}
        """Other workers -> when they were last heard (monotonic)."""
        self.listening = asyncio.Event()
        self.sent = 0
        self.received = 0
        self.lost = 0
        hub.add_relay(self._forward)

    # -- this worker's events out ------------------------------------------------------------
    def _forward(self, event: CallEvent) -> None:
        """Called by the hub, from any thread: queue the event for the sender."""
        if self._loop is None or self._loop.is_closed():
            return
        payload = json.dumps({"w": self.worker, "e": event.as_json()}, ensure_ascii=False)
        self._loop.call_soon_threadsafe(self._enqueue, payload)

    def _enqueue(self, payload: str) -> None:
        try:
            self._outbox.put_nowait(payload)
        except asyncio.QueueFull:
            self.lost += 1

    async def run(self) -> None:
        """Send and listen until cancelled, reconnecting after a failure."""
        self._loop = asyncio.get_running_loop()
        await asyncio.gather(self._keep(self._send), self._keep(self._listen),
                             self._heartbeats())

    async def _keep(self, work: Any) -> None:
        delay = 0.5
        while True:
            started = time.monotonic()
            try:
                await work()
            except (psycopg.Error, OSError) as err:
                log.warning("live relay: %s (%s); retrying in %.1f s", work.__name__,
                            err.__class__.__name__, delay)
            if time.monotonic() - started > 30:
                delay = 0.5
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.reconnect_max_s)

    @contextlib.asynccontextmanager
    async def _connected(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A connection of its own, in autocommit (nothing to roll back), closed whatever
        ends the block. Not psycopg's own `async with`: on an error it awaits a rollback
        first, and a cancellation arriving then (the service stopping) left the connection
        open, to be collected unclosed."""
        connection = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
        try:
            yield connection
        finally:
            await connection.close()  # no round trip: never waits on the server

    async def _send(self) -> None:
        async with self._connected() as connection:
            while True:
                payload = await self._outbox.get()
                try:
                    await self._notify(connection, payload)
                except psycopg.Error:
                    self.lost += 1
                    raise
                self.sent += 1

    async def _notify(self, connection: psycopg.AsyncConnection[Any], payload: str) -> None:
        if len(payload.encode()) > MAX_NOTIFY_BYTES:
            cursor = await connection.execute(
                "INSERT INTO live_payloads (created_at, payload) VALUES (%s, %s) RETURNING id",
                (utc_now(), payload))
            row = await cursor.fetchone()
            assert row is not None
            payload = json.dumps({"w": self.worker, "ref": int(row[0])})
            if row[0] % 100 == 0:  # now and then, the old ones go
                await connection.execute("DELETE FROM live_payloads WHERE created_at < %s",
                                         (utc_now() - KEEP_PAYLOADS,))
        await connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))

    async def _heartbeats(self) -> None:
        alive = json.dumps({"w": self.worker, "alive": True})
        while True:
            if self._outbox.empty():
                self._enqueue(alive)
            await asyncio.sleep(self.heartbeat_s)
            now = time.monotonic()
            for worker, seen in list(self._seen.items()):
                if now - seen > self.silent_after_s:
                    del self._seen[worker]
                    gone = self.hub.forget_worker(worker)
                    log.warning("live relay: worker %s silent for %.0f s: its %d call(s) "
                                "leave the console", worker, now - seen, len(gone))

    # -- the other workers' events in --------------------------------------------------------
    async def _listen(self) -> None:
        async with self._connected() as connection:
            await connection.execute(f"LISTEN {CHANNEL}")
            self.listening.set()
            try:
                async for notification in connection.notifies():
                    await self._take(notification.payload)
            finally:
                self.listening.clear()

    async def _take(self, payload: str) -> None:
        try:
            data = json.loads(payload)
            worker = data["w"]
            if not isinstance(worker, str) or worker == self.worker:
                return
            self._seen[worker] = time.monotonic()
            if "ref" in data:
                data = await self._stored(int(data["ref"]))
                if data is None:
                    return
            if "e" not in data:
                return  # a heartbeat
            event = CallEvent.from_json(data["e"])
        except (ValueError, KeyError, TypeError) as err:
            log.warning("live relay: malformed notification ignored (%s)", err)
            return
        self.received += 1
        self.hub.receive(event, worker)

    async def _stored(self, ref: int) -> dict[str, Any] | None:
        # A second connection: the listening one is busy with its notifications.
        async with self._connected() as reader:
            cursor = await reader.execute("SELECT payload FROM live_payloads WHERE id = %s",
                                          (ref,))
            row = await cursor.fetchone()
        if row is None:
            log.warning("live relay: event %d no longer stored", ref)
            return None
        data: dict[str, Any] = json.loads(row[0])
        return data

    @contextlib.asynccontextmanager
    async def running(self) -> Any:
        """Run the relay for a block (tests, tools); listening when the block starts."""
        task = asyncio.create_task(self.run(), name=f"live-relay-{self.worker}")
        try:
            await asyncio.wait_for(self.listening.wait(), 10)
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
