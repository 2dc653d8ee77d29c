"""The AudioSocket server on a real loopback socket: events, audio back, limits, bad peers."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest

from speech.frames import AudioFrame
from telephony.audiosocket import (
    AudioReceived,
    AudioSocketConnection,
    AudioSocketServer,
    AudioSocketSettings,
    DigitReceived,
    ErrorReceived,
    Event,
    HangupReceived,
)
from tests.telephony.peers import FakeAsterisk, eventually, leftover_tasks, open_sockets

SETTINGS = AudioSocketSettings(port=0, handshake_timeout=0.5, read_timeout=0.8, close_timeout=1)


class Recorder:
    """A call handler that keeps every event of every call."""

    def __init__(self) -> None:
        self.events: dict[uuid.UUID, list[Event]] = {}
        self.ended: dict[uuid.UUID, asyncio.Event] = {}

    def ended_event(self, call_id: uuid.UUID) -> asyncio.Event:
        return self.ended.setdefault(call_id, asyncio.Event())

    async def __call__(self, connection: AudioSocketConnection) -> None:
        events = self.events.setdefault(connection.call_id, [])
        try:
            async for event in connection.events():
                events.append(event)
        finally:
            self.ended_event(connection.call_id).set()


async def test_a_call_yields_typed_events_and_ends_on_hangup() -> None:
    recorder = Recorder()
    async with AudioSocketServer(SETTINGS, recorder) as server:
        peer = await FakeAsterisk.dial(server.port)
        peer.send(0x10, bytes(320))
        peer.send(0x12, bytes(640))
        peer.send(0x03, b"4")
        peer.send(0xFF, b"\x01")
        peer.send(0x00)
        await asyncio.wait_for(recorder.ended_event(peer.call_id).wait(), 2)
        events = recorder.events[peer.call_id]
        assert [type(e) for e in events] == [
            AudioReceived,
            AudioReceived,
            DigitReceived,
            ErrorReceived,
            HangupReceived,
        ]
        rates = [e.frame.rate for e in events if isinstance(e, AudioReceived)]
        assert rates == [8000, 16000]
        assert events[-1] == HangupReceived(explicit=True)
        assert await peer.closed_by_server()
        await peer.close()


async def test_a_peer_closing_without_hangup_ends_the_call() -> None:
    recorder = Recorder()
    async with AudioSocketServer(SETTINGS, recorder) as server:
        peer = await FakeAsterisk.dial(server.port)
        peer.send(0x10, bytes(320))
        await peer.writer.drain()
        await peer.close()
        await asyncio.wait_for(recorder.ended_event(peer.call_id).wait(), 2)
        assert recorder.events[peer.call_id][-1] == HangupReceived(explicit=False)


async def test_audio_played_by_the_handler_reaches_the_peer_paced() -> None:
    tone = AudioFrame(b"\x10\x27" * 160 * 10, 8000)  # 200 ms of a constant level

    async def speak(connection: AudioSocketConnection) -> None:
        assert await connection.play(tone).wait() is True
        await connection.hangup()

    async with AudioSocketServer(SETTINGS, speak) as server:
        peer = await FakeAsterisk.dial(server.port)
        received = []
        while (message := await peer.receive()) is not None:
            received.append(message)
        assert [kind for kind, _ in received] == [0x10] * 10 + [0x00]
        assert b"".join(p for _, p in received) == tone.pcm
        await peer.close()


async def test_handler_failure_is_logged_and_cleaned_up(caplog: pytest.LogCaptureFixture) -> None:
    async def failing(connection: AudioSocketConnection) -> None:
        connection.play(AudioFrame(bytes(320 * 50), 8000))
        raise RuntimeError("bug in the call session")

    sockets_before = open_sockets()
    with caplog.at_level(logging.ERROR):
        async with AudioSocketServer(SETTINGS, failing) as server:
            peer = await FakeAsterisk.dial(server.port)
            assert await peer.closed_by_server()
            await peer.close()
            assert await eventually(lambda: server.connections == 0)
            assert server.calls == {}
            assert await leftover_tasks() == []
    assert "the call handler failed" in caplog.text
    assert open_sockets() == sockets_before


async def test_calls_beyond_the_limit_are_refused_others_go_on() -> None:
    recorder = Recorder()
    settings = AudioSocketSettings(port=0, max_calls=2, read_timeout=2)
    async with AudioSocketServer(settings, recorder) as server:
        first = await FakeAsterisk.dial(server.port)
        second = await FakeAsterisk.dial(server.port)
        await asyncio.sleep(0.1)
        third = await FakeAsterisk.dial(server.port)
        assert await third.closed_by_server()
        assert server.rejected == 1
        for peer in (first, second):
            peer.send(0x03, b"1")
            peer.send(0x00)
            await asyncio.wait_for(recorder.ended_event(peer.call_id).wait(), 2)
            assert recorder.events[peer.call_id] == [DigitReceived("1"), HangupReceived(True)]
        for peer in (first, second, third):
            await peer.close()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x42\x00\x04abcd", "unknown message kind"),
        (b"\x10\xff\xff", "more than"),
        (b"\x10", "nothing received"),  # half a header, then a stall
        (b"\x10\x01\x40" + bytes(100), "incomplete"),  # half a payload, then a stall
        (b"\x03\x00\x01z", "DTMF"),
    ],
)
async def test_bad_input_ends_that_call_only(
    data: bytes, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder()
    async with AudioSocketServer(SETTINGS, recorder) as server:
        good = await FakeAsterisk.dial(server.port)
        bad = await FakeAsterisk.dial(server.port)
        with caplog.at_level(logging.WARNING):
            bad.send_raw(data)
            # The good call keeps talking like Asterisk while the bad one is dealt with.
            talking = asyncio.create_task(good.talk(1.2))
            assert await bad.closed_by_server()
            frames = await talking
        assert reason in caplog.text
        good.send(0x00)
        await asyncio.wait_for(recorder.ended_event(good.call_id).wait(), 2)
        assert len(recorder.events[good.call_id]) == frames + 1
        await good.close()
        await bad.close()


async def test_handshake_rules(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder()
    async with AudioSocketServer(SETTINGS, recorder) as server:
        with caplog.at_level(logging.INFO):
            silent = await FakeAsterisk.dial(server.port, send_uuid=False)
            assert await silent.closed_by_server()  # no UUID within the handshake timeout
            early = await FakeAsterisk.dial(server.port, send_uuid=False)
            await early.close()  # closes before its UUID
            audio_first = await FakeAsterisk.dial(server.port, send_uuid=False)
            audio_first.send(0x10, bytes(320))
            assert await audio_first.closed_by_server()
            await asyncio.sleep(0.1)
        assert "closed before sending its UUID" in caplog.text
        assert "first message must be a 16-byte UUID" in caplog.text
        assert recorder.events == {}
        for peer in (silent, audio_first):
            await peer.close()


async def test_close_cancels_calls_at_its_deadline() -> None:
    started = asyncio.Event()

    async def stubborn(connection: AudioSocketConnection) -> None:
        started.set()
        await asyncio.sleep(3600)

    sockets_before = open_sockets()
    server = AudioSocketServer(AudioSocketSettings(port=0, read_timeout=60), stubborn)
    await server.start()
    peer = await FakeAsterisk.dial(server.port)
    await asyncio.wait_for(started.wait(), 2)
    loop = asyncio.get_running_loop()
    begin = loop.time()
    await server.close(deadline_s=0.3)
    assert 0.25 < loop.time() - begin < 2
    assert server.connections == 0
    assert await peer.closed_by_server()
    await peer.close()
    assert await leftover_tasks() == []
    assert open_sockets() == sockets_before
