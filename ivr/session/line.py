"""The caller's side of one call: AudioSocket events pumped into typed items, read by turns.

A reader task drains the connection (so Asterisk's 20 ms frames never pile up in the socket)
into a queue of `AudioReceived` / `DigitReceived` items; hang-up and protocol errors set
`ended` with the reason. Audio is mono 16-bit PCM at the line's rate (8 000 or 16 000 Hz).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from ivr.session.errors import SessionError
from speech.frames import AudioFrame
from telephony.audiosocket import (
    AudioReceived,
    AudioSocketConnection,
    DigitReceived,
    ErrorReceived,
    HangupReceived,
)
from telephony.errors import TelephonyError

log = logging.getLogger(__name__)

DEFAULT_RATE = 8000
QUEUE_FRAMES = 1500
"""Items buffered (30 s of 20 ms frames) before the oldest audio is dropped."""


class LineEnded(SessionError):
    """The caller hung up (or the connection was lost)."""

    code = "line_ended"


class CallerLine:
    """What the caller sends: audio frames and keypad digits, until they hang up."""

    def __init__(self, connection: AudioSocketConnection) -> None:
        self.connection = connection
        self.rate = DEFAULT_RATE
        """Sample rate of the caller's audio (Hz), from the latest frame."""
        self.ended: str | None = None
        """Why the line ended ('hangup', an error code), None while it is up."""
        self._items: asyncio.Queue[AudioFrame | str | None] = asyncio.Queue(QUEUE_FRAMES)
        self._task: asyncio.Task[None] | None = None
        self.first_audio = asyncio.Event()
        self.gone = asyncio.Event()
        """Set once the caller's side has ended."""

    def start(self) -> None:
        self._task = asyncio.create_task(self._pump(), name=f"line-{self.connection.call_id}")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _pump(self) -> None:
        try:
            async for event in self.connection.events():
                if isinstance(event, AudioReceived):
                    self.rate = event.frame.rate
                    self.first_audio.set()
                    self._put(event.frame)
                elif isinstance(event, DigitReceived):
                    self._put(event.digit)
                elif isinstance(event, ErrorReceived):
                    log.warning("call %s: Asterisk reports %s", self.connection.call_id,
                                event.description)
                elif isinstance(event, HangupReceived):
                    self.ended = "hangup"
        except TelephonyError as err:
            self.ended = err.code
            log.info("call %s: line lost (%s)", self.connection.call_id, err)
        except (ConnectionError, OSError) as err:
            self.ended = "connection_lost"
            log.info("call %s: line lost (%s)", self.connection.call_id, err)
        finally:
            self.ended = self.ended or "hangup"
            self.first_audio.set()
            self.gone.set()
            with contextlib.suppress(asyncio.QueueFull):
                self._items.put_nowait(None)

    def _put(self, item: AudioFrame | str) -> None:
        if self._items.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self._items.get_nowait()
        self._items.put_nowait(item)

    async def next(self, wait_s: float | None = None) -> AudioFrame | str | None:
        """The next frame or digit, None after `wait_s` seconds without any; `LineEnded`
        once the caller is gone."""
        if self.ended is not None and self._items.empty():
            raise LineEnded(f"the line ended ({self.ended})")
        try:
            async with asyncio.timeout(wait_s):
                item = await self._items.get()
        except TimeoutError:
            return None
        if item is None:
            self._items.put_nowait(None)  # every later reader sees the end too
            raise LineEnded(f"the line ended ({self.ended})")
        return item

    def drain_audio(self) -> None:
        """Drop audio buffered so far (heard while the service was busy), keep digits."""
        kept: list[AudioFrame | str | None] = []
        while not self._items.empty():
            item = self._items.get_nowait()
            if not isinstance(item, AudioFrame):
                kept.append(item)
        for item in kept:
            self._items.put_nowait(item)

    async def audio_until_digit(self, digits: list[str]) -> AsyncIterator[AudioFrame]:
        """Caller audio until a digit is pressed (appended to `digits`) or the line ends."""
        while True:
            try:
                item = await self.next()
            except LineEnded:
                return
            if item is None:
                continue
            if isinstance(item, str):
                digits.append(item)
                return
            yield item
