"""The AudioSocket call limit on real loopback sockets: connections that never send their UUID
hold no call place, and at most `max_pending` of them are kept waiting (issue 17, item 7d)."""

from __future__ import annotations

from telephony.audiosocket import AudioSocketServer, AudioSocketSettings, DigitReceived
from telephony.audiosocket.connection import AudioSocketConnection
from tests.telephony.peers import FakeAsterisk, eventually, leftover_tasks

# A long handshake timeout: the silent connections stay open for the whole test.
SETTINGS = AudioSocketSettings(port=0, max_calls=2, max_pending=4, handshake_timeout=30,
                               read_timeout=5, close_timeout=1)


class Answering:
    """A call handler that keeps the digits of each call and hangs up after the first."""

    def __init__(self) -> None:
        self.digits: dict[object, list[str]] = {}

    async def __call__(self, connection: AudioSocketConnection) -> None:
        heard = self.digits.setdefault(connection.call_id, [])
        async for event in connection.events():
            if isinstance(event, DigitReceived):
                heard.append(event.digit)
                await connection.hangup()


async def test_silent_connections_do_not_take_the_calls_places() -> None:
    handler = Answering()
    async with AudioSocketServer(SETTINGS, handler) as server:
        silent = [await FakeAsterisk.dial(server.port, send_uuid=False) for _ in range(6)]
        assert await eventually(lambda: server.connections == 4 and server.dropped == 2)
        closed = [await peer.closed_by_server(0.2) for peer in silent[:2]]
        assert closed == [True, True]  # the oldest waiting ones made room
        calls = [await FakeAsterisk.dial(server.port) for _ in range(2)]
        for call in calls:
            call.send(0x03, b"5")
            assert await call.closed_by_server()  # answered: the handler hung up
            assert handler.digits[call.call_id] == ["5"]
        assert server.rejected == 0
        busy = [await FakeAsterisk.dial(server.port) for _ in range(2)]
        assert await eventually(lambda: len(server.calls) == 2)
        extra = await FakeAsterisk.dial(server.port)
        assert await extra.closed_by_server()  # a third simultaneous call is refused
        assert server.rejected == 1
        for peer in (*silent, *calls, *busy, extra):
            await peer.close()
    assert await leftover_tasks() == []
