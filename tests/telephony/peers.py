"""Test peers speaking AudioSocket over real loopback sockets, and leak probes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from telephony.audiosocket.codec import HEADER, encode, encode_uuid


@dataclass
class FakeAsterisk:
    """The Asterisk end of one AudioSocket connection, driven by a test."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    call_id: uuid.UUID = field(default_factory=uuid.uuid4)

    @classmethod
    async def dial(cls, port: int, send_uuid: bool = True) -> FakeAsterisk:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        peer = cls(reader, writer)
        if send_uuid:
            peer.send_raw(encode_uuid(peer.call_id))
        return peer

    def send_raw(self, data: bytes) -> None:
        self.writer.write(data)

    def send(self, kind: int, payload: bytes = b"") -> None:
        self.writer.write(encode(kind, payload))

    async def receive(self, wait_s: float = 2.0) -> tuple[int, bytes] | None:
        """One message from the server, or None at end of stream."""
        try:
            header = await asyncio.wait_for(self.reader.readexactly(HEADER.size), wait_s)
        except asyncio.IncompleteReadError:
            return None
        kind, length = HEADER.unpack(header)
        payload = await asyncio.wait_for(self.reader.readexactly(length), wait_s)
        return kind, payload

    async def closed_by_server(self, wait_s: float = 3.0) -> bool:
        """True once the server closed its end (reads to end of stream)."""
        try:
            async with asyncio.timeout(wait_s):
                while await self.reader.read(65536):
                    pass
        except TimeoutError:
            return False
        except ConnectionError:
            return True
        return True

    async def talk(self, seconds: float) -> int:
        """Send 20 ms frames of 8 kHz silence at Asterisk's pace; returns how many."""
        count = 0
        loop = asyncio.get_running_loop()
        start = loop.time()
        while loop.time() - start < seconds:
            self.send(0x10, bytes(320))
            await self.writer.drain()
            count += 1
            await asyncio.sleep(start + 0.02 * count - loop.time())
        return count

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.wait_closed()


async def eventually(condition: Callable[[], bool], wait_s: float = 2.0) -> bool:
    """Poll ``condition`` until it holds or ``wait_s`` seconds passed; returns its last value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while not condition():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


def open_sockets() -> int:
    """Sockets this process has open (from /proc/self/fd)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:
            continue
    return count


async def leftover_tasks(wait_s: float = 1.0) -> list[asyncio.Task[object]]:
    """Tasks other than the test's own still running after up to ``wait_s`` seconds."""
    current = asyncio.current_task()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while True:
        tasks = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        if not tasks or loop.time() > deadline:
            return tasks
        await asyncio.sleep(0.01)
