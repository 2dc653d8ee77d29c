"""End-to-end calls through a real Asterisk 22: the shipped dialplan, AudioSocket, AMI."""

from __future__ import annotations

import asyncio
import uuid

import numpy as np
import pytest

from speech.frames import AudioFrame
from telephony.ami import AmiClient
from telephony.audiosocket import (
    AudioReceived,
    AudioSocketConnection,
    AudioSocketServer,
    AudioSocketSettings,
    DigitReceived,
    Event,
    HangupReceived,
)
from tests.asterisk_fixture import AsteriskSandbox

pytestmark = pytest.mark.asterisk


class Calls:
    """Handler for the test's AudioSocket server: records each call, can run a script."""

    def __init__(self) -> None:
        self.events: dict[uuid.UUID, list[Event]] = {}
        self.started: asyncio.Queue[AudioSocketConnection] = asyncio.Queue()
        self.ended: dict[uuid.UUID, asyncio.Event] = {}
        self.tone: AudioFrame | None = None

    def ended_event(self, call_id: uuid.UUID) -> asyncio.Event:
        return self.ended.setdefault(call_id, asyncio.Event())

    async def __call__(self, connection: AudioSocketConnection) -> None:
        events = self.events.setdefault(connection.call_id, [])
        self.started.put_nowait(connection)
        if self.tone is not None:
            connection.play(self.tone)
        try:
            async for event in connection.events():
                events.append(event)
        finally:
            self.ended_event(connection.call_id).set()


def tone(freq: float, seconds: float, rate: int) -> AudioFrame:
    t = np.arange(int(seconds * rate)) / rate
    samples = (8000 * np.sin(2 * np.pi * freq * t)).astype("<i2")
    return AudioFrame(samples.tobytes(), rate)


@pytest.fixture
async def calls(asterisk: AsteriskSandbox) -> Calls:
    return Calls()


async def originate(ami: AmiClient, exten: str, local: str = "100") -> None:
    await ami.originate(
        f"Local/{local}@standardiste-incoming/n", "test-caller", exten, caller_id="Test <0612345678>"
    )


async def test_dtmf_from_a_caller_reaches_the_service_in_16khz(
    asterisk: AsteriskSandbox, calls: Calls
) -> None:
    settings = AudioSocketSettings(port=asterisk.audiosocket_port, read_timeout=3)
    ami = AmiClient(asterisk.ami_settings())
    await ami.start()
    try:
        async with AudioSocketServer(settings, calls):
            await ami.wait_connected(5)
            await originate(ami, "dtmf")
            connection = await asyncio.wait_for(calls.started.get(), 10)
            await asyncio.sleep(3)
            await connection.hangup()
            await asyncio.wait_for(calls.ended_event(connection.call_id).wait(), 5)
        events = calls.events[connection.call_id]
        digits = "".join(e.digit for e in events if isinstance(e, DigitReceived))
        assert digits == "42#"
        rates = {e.frame.rate for e in events if isinstance(e, AudioReceived)}
        assert rates == {16000}
    finally:
        await ami.close()
