"""The AudioSocket server: accepts Asterisk's connections and runs one handler per call.

Each connection must open with the call's UUID within ``handshake_timeout``; then the handler
coroutine (the call session) gets an `AudioSocketConnection`. Whatever happens (the handler
returns or raises, the peer vanishes or sends garbage) the connection's writer task and socket
are released and the reason is logged; other calls are not affected. A connection counts as a
call only once its UUID has arrived: a call beyond ``max_calls`` is closed right after its
UUID (Asterisk sends it at once); the shipped dialplan takes a leg closed within a second as
a refusal and tries the next worker, then its fallback (the agents, or an apology).
Connections still waiting for their UUID are at most ``max_pending``: past that the oldest
waiting one is closed, so silent connections can neither hold call places nor keep a real
call from being identified.
`close()` stops accepting, gives running calls until a deadline, then cancels them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType

from telephony.audiosocket.codec import decode_uuid
from telephony.audiosocket.connection import AudioSocketConnection, read_message
from telephony.errors import TelephonyError

log = logging.getLogger(__name__)

Handler = Callable[[AudioSocketConnection], Awaitable[None]]
"""The per-call coroutine; it returns when the call is over for the service."""


@dataclass(frozen=True, slots=True)
class AudioSocketSettings:
    """Where and how the AudioSocket server listens."""

    host: str = "127.0.0.1"
    """Address to listen on (the address Asterisk's dialplan connects to)."""
    port: int = 9092
    """TCP port; 0 picks a free one (see `AudioSocketServer.port`)."""
    max_calls: int = 20
    """Most simultaneous calls (identified by their UUID); more are closed once their UUID
    arrives (Asterisk falls back)."""
    max_pending: int = 64
    """Most connections waiting for their UUID at once; a new one closes the oldest."""
    handshake_timeout: float = 5.0
    """Seconds a new connection has to send its UUID."""
    read_timeout: float = 30.0
    """Seconds without any message after which a call is considered gone. Asterisk sends
    audio every 20 ms only while media comes in: a caller's phone that suppresses silence
    sends nothing while the caller is quiet, so keep this well above a long pause."""
    close_timeout: float = 5.0
    """Seconds `close()` waits for running calls before cancelling them."""


class AudioSocketServer:
    """Serves AudioSocket connections with one handler task per call."""

    def __init__(self, settings: AudioSocketSettings, handler: Handler) -> None:
        self.settings = settings
        self._handler = handler
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._calls: dict[uuid.UUID, AudioSocketConnection] = {}
        self._pending: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        """Connections waiting for their UUID, oldest first."""
        self.rejected = 0
        """Calls refused because ``max_calls`` were running."""
        self.dropped = 0
        """Connections closed unidentified to make room under ``max_pending``."""

    async def start(self) -> None:
        """Start listening."""
        try:
            self._server = await asyncio.start_server(
                self._accept, self.settings.host, self.settings.port
            )
        except OSError as err:
            raise TelephonyError(
                "audiosocket.listen",
                f"cannot listen on {self.settings.host}:{self.settings.port}: {err}",
            ) from err
        log.info("AudioSocket server listening on %s:%d", self.settings.host, self.port)

    @property
    def port(self) -> int:
        """The TCP port actually listened on."""
        if self._server is None or not self._server.sockets:
            raise TelephonyError("audiosocket.closed", "the server is not listening")
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def connections(self) -> int:
        """Open connections (calls, and connections not yet identified)."""
        return len(self._tasks)

    @property
    def calls(self) -> dict[uuid.UUID, AudioSocketConnection]:
        """Identified calls in progress, by UUID (a copy)."""
        return dict(self._calls)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        peer = writer.get_extra_info("peername")
        while len(self._pending) >= max(1, self.settings.max_pending):
            oldest, oldest_writer = next(iter(self._pending.items()))
            del self._pending[oldest]
            self.dropped += 1
            log.warning("AudioSocket %s closed: %d connections already wait for their UUID",
                        oldest_writer.get_extra_info("peername"), self.settings.max_pending)
            oldest_writer.close()  # its handshake read ends: "closed before sending its UUID"
        self._tasks.add(task)
        self._pending[task] = writer
        try:
            await self._serve(reader, writer, peer)
        finally:
            self._pending.pop(task, None)
            writer.close()
            with contextlib.suppress(ConnectionError, OSError, TimeoutError):
                async with asyncio.timeout(1.0):
                    await writer.wait_closed()
            self._tasks.discard(task)

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: object
    ) -> None:
        call_id: uuid.UUID | None = None
        try:
            first = await read_message(reader, self.settings.handshake_timeout)
            task = asyncio.current_task()
            if task is not None:
                self._pending.pop(task, None)
            if first is None:
                log.info("AudioSocket %s closed before sending its UUID", peer)
                return
            call_id = decode_uuid(*first)
            if len(self._calls) >= self.settings.max_calls:
                self.rejected += 1
                log.warning("AudioSocket %s (call %s) refused: %d calls already", peer, call_id,
                            len(self._calls))
                return
            if call_id in self._calls:
                raise TelephonyError("audiosocket.protocol", f"UUID {call_id} is already in a call")
            connection = AudioSocketConnection(call_id, reader, writer, self.settings.read_timeout)
            self._calls[call_id] = connection
            try:
                await self._handler(connection)
            finally:
                self._calls.pop(call_id, None)
                await connection.close()
            log.info("AudioSocket call %s ended", call_id)
        except TelephonyError as err:
            log.warning("AudioSocket %s (call %s) ended: %s", peer, call_id, err)
        except (ConnectionError, OSError) as err:
            log.info("AudioSocket %s (call %s) lost: %s", peer, call_id, err)
        except asyncio.CancelledError:
            log.info("AudioSocket %s (call %s) cancelled", peer, call_id)
            raise
        except Exception:
            log.exception("AudioSocket %s (call %s): the call handler failed", peer, call_id)

    async def close(self, deadline_s: float | None = None) -> None:
        """Stop accepting, wait for calls up to ``deadline_s`` seconds (default
        ``close_timeout``), then cancel the rest."""
        deadline = self.settings.close_timeout if deadline_s is None else deadline_s
        if self._server is not None:
            self._server.close()
        tasks = set(self._tasks)
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=deadline)
            for task in pending:
                task.cancel()
            if pending:
                log.warning("AudioSocket close: %d call(s) cancelled at the deadline", len(pending))
                await asyncio.wait(pending)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> AudioSocketServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
