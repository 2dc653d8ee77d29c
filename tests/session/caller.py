"""A caller over a real loopback AudioSocket connection: Asterisk's side of one call.

It streams 20 ms frames of the caller's audio at real-time pace (silence when it has nothing
to say, as Asterisk does), sends keypad digits, and keeps the assistant's frames with their
arrival times (monotonic seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import deque
from dataclasses import dataclass, field

from speech.frames import AudioFrame
from telephony.audiosocket.codec import AUDIO_KINDS, HEADER, KIND_FOR_RATE, encode, encode_uuid

FRAME_S = 0.02


@dataclass
class LoopbackCaller:
    port: int
    rate: int = 8000
    call_id: uuid.UUID = field(default_factory=uuid.uuid4)
    heard: list[tuple[float, bytes]] = field(default_factory=list)
    """Assistant frames: (arrival time, 16-bit PCM at the call's rate)."""
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the service hung up or closed the connection."""
    hangup_received: bool = False
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    """Set at each assistant frame (cleared by the waits)."""
    _outbox: deque[bytes] = field(default_factory=deque)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> LoopbackCaller:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        self._writer = writer
        writer.write(encode_uuid(self.call_id))
        self._tasks = [asyncio.create_task(self._send(writer), name="test-caller-send"),
                       asyncio.create_task(self._receive(reader), name="test-caller-receive")]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.hangup()

    def say(self, audio: AudioFrame) -> None:
        """Queue speech (mono, at the call's rate) after what is already queued."""
        assert audio.rate == self.rate and audio.channels == 1
        size = round(self.rate * FRAME_S) * 2
        pcm = audio.pcm
        for i in range(0, len(pcm), size):
            self._outbox.append(pcm[i:i + size].ljust(size, b"\0"))

    def press(self, digits: str) -> None:
        assert self._writer is not None
        for digit in digits:
            self._writer.write(encode(0x03, digit.encode("ascii")))

    async def hangup(self) -> None:
        """The caller hangs up: the connection closes (as Asterisk does)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, ConnectionError, OSError):
                await task
        self._tasks = []
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self._writer.wait_closed()
            self._writer = None

    async def _send(self, writer: asyncio.StreamWriter) -> None:
        start = time.monotonic()
        sent = 0
        with contextlib.suppress(ConnectionError, OSError):
            while not self.ended.is_set():
                kind = KIND_FOR_RATE[self.rate]  # a test may change the rate mid-call
                silence = bytes(round(self.rate * FRAME_S) * 2)
                writer.write(encode(kind, self._outbox.popleft() if self._outbox else silence))
                await writer.drain()
                sent += 1
                await asyncio.sleep(max(0.0, start + sent * FRAME_S - time.monotonic()))

    async def _receive(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                kind, length = HEADER.unpack(await reader.readexactly(HEADER.size))
                payload = await reader.readexactly(length)
                if kind == 0x00:
                    self.hangup_received = True
                    return
                if kind in AUDIO_KINDS:
                    self.heard.append((time.monotonic(), payload))
                    self.arrived.set()
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            return
        finally:
            self.ended.set()

    @property
    def speaking_until(self) -> float:
        """Arrival time of the latest assistant frame (0 before any)."""
        return self.heard[-1][0] if self.heard else 0.0

    async def wait_heard(self, frames: int = 1, wait_s: float = 30.0) -> None:
        """Until the assistant has sent at least `frames` frames."""
        async with asyncio.timeout(wait_s):
            while len(self.heard) < frames:
                self.arrived.clear()
                await self.arrived.wait()

    async def wait_quiet(self, quiet_s: float = 0.5, wait_s: float = 60.0) -> None:
        """Until the assistant has said something and then been quiet for `quiet_s`."""
        async with asyncio.timeout(wait_s):
            await self.wait_heard(1, wait_s)
            while True:
                self.arrived.clear()
                try:
                    async with asyncio.timeout(quiet_s):
                        await self.arrived.wait()
                except TimeoutError:
                    return

    async def wait_end(self, wait_s: float = 30.0) -> None:
        async with asyncio.timeout(wait_s):
            await self.ended.wait()
