"""Helpers for tests that place calls through the real Asterisk: the test service (a
recording call handler), an AMI event watcher, callers and a tone generator."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable

import numpy as np

from speech.frames import AudioFrame
from telephony.ami import AmiClient, AmiEvent
from telephony.audiosocket import (
    AudioSocketConnection,
    AudioSocketServer,
    AudioSocketSettings,
    Event,
    Playback,
)
from tests.asterisk_fixture import AsteriskSandbox


def tone(freq: float, seconds: float, rate: int) -> AudioFrame:
    t = np.arange(int(seconds * rate)) / rate
    return AudioFrame((8000 * np.sin(2 * np.pi * freq * t)).astype("<i2").tobytes(), rate)


class Calls:
    """The test service: records each call's events; may play a prompt when a call starts."""

    def __init__(self, prompt: AudioFrame | None = None) -> None:
        self.prompt = prompt
        self.events: dict[uuid.UUID, list[Event]] = {}
        self.playbacks: dict[uuid.UUID, Playback] = {}
        self.started: asyncio.Queue[AudioSocketConnection] = asyncio.Queue()
        self.ended: dict[uuid.UUID, asyncio.Event] = {}

    def ended_event(self, call_id: uuid.UUID) -> asyncio.Event:
        return self.ended.setdefault(call_id, asyncio.Event())

    async def __call__(self, connection: AudioSocketConnection) -> None:
        events = self.events.setdefault(connection.call_id, [])
        if self.prompt is not None:
            self.playbacks[connection.call_id] = connection.play(self.prompt)
        self.started.put_nowait(connection)
        try:
            async for event in connection.events():
                events.append(event)
        finally:
            self.ended_event(connection.call_id).set()

    async def next_call(self, wait_s: float = 10) -> AudioSocketConnection:
        return await asyncio.wait_for(self.started.get(), wait_s)

    async def wait_end(self, call_id: uuid.UUID, wait_s: float = 10) -> list[Event]:
        await asyncio.wait_for(self.ended_event(call_id).wait(), wait_s)
        return self.events[call_id]


class Watcher:
    """Collects AMI events from the moment it starts."""

    def __init__(self, ami: AmiClient) -> None:
        self.seen: list[AmiEvent] = []
        self._ami = ami
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _collect(self) -> None:
        async for event in self._ami.events():
            self.seen.append(event)
            self._changed.set()

    async def wait_for(self, match: Callable[[AmiEvent], bool], wait_s: float = 10) -> AmiEvent:
        async with asyncio.timeout(wait_s):
            while True:
                for event in self.seen:
                    if match(event):
                        return event
                self._changed.clear()
                await self._changed.wait()

    async def __aenter__(self) -> Watcher:
        self._task = asyncio.create_task(self._collect(), name="test-ami-watcher")
        await asyncio.sleep(0)  # let it subscribe before the test acts
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


def service(asterisk: AsteriskSandbox, calls: Calls) -> AudioSocketServer:
    settings = AudioSocketSettings(port=asterisk.audiosocket_port, read_timeout=15)
    return AudioSocketServer(settings, calls)


async def call_from(ami: AmiClient, caller_exten: str) -> None:
    """A Local-channel caller: its ;2 half runs the shipped incoming context (Answer,
    AudioSocket), its ;1 half runs test-caller,<caller_exten> (what the caller does)."""
    await ami.originate(
        "Local/100@standardiste-incoming/n", "test-caller", caller_exten, caller_id="Test <0612>"
    )


async def end_call(ami: AmiClient, connection: AudioSocketConnection) -> None:
    """The test service ends a call as `ivr serve` does: marked as a normal end for the
    dialplan (STANDARDISTE_NEXT=end; a leg cut after its first second without it means a dead
    worker, and the caller goes to the fallback), then the AudioSocket hang-up."""
    await ami.setvar(await ami.channel_for(connection.call_id), "STANDARDISTE_NEXT", "end")
    await connection.hangup()


def is_transfer(call_id: uuid.UUID) -> Callable[[AmiEvent], bool]:
    return lambda e: (
        e.name == "UserEvent"
        and e.get("UserEvent") == "StandardisteTransfer"
        and e.get("Uuid") == str(call_id)
    )
