"""A loopback TCP relay the tests can cut, to drop a client's connection on purpose, keep the
line down for a while (`refusing`), or cut at the moment a client sends given bytes."""

from __future__ import annotations

import asyncio
import contextlib


class CuttableProxy:
    """Relays 127.0.0.1:port to a target; `cut()` drops every relayed connection."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.accepted = 0
        self.refusing = False
        """While True, new connections are closed at once (the far end looks down)."""
        self.cut_on: bytes | None = None
        """When the client sends bytes holding this, everything is cut before they go on,
        and `refusing` is set (once; `cut_at` records the moment)."""
        self.cut_at: float | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    upstream: bool = False) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                if upstream and self.cut_on is not None and self.cut_on in data:
                    self.cut_on = None
                    self.refusing = True
                    self.cut_at = asyncio.get_running_loop().time()
                    self.cut()
                    break
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refusing:
            writer.close()
            return
        self.accepted += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers |= {writer, up_writer}
        tasks = {
            asyncio.create_task(self._pipe(reader, up_writer, upstream=True)),
            asyncio.create_task(self._pipe(up_reader, writer)),
        }
        self._tasks |= tasks
        await asyncio.wait(tasks)
        self._tasks -= tasks
        for w in (writer, up_writer):
            w.close()
            self._writers.discard(w)

    def cut(self) -> None:
        """Drop every relayed connection at once (the proxy keeps accepting new ones)."""
        for writer in list(self._writers):
            writer.transport.abort()

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        if self._tasks:
            await asyncio.wait(self._tasks)
