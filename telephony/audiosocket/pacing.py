"""Outbound audio, paced like a real phone line: one 20 ms frame every 20 ms.

Frames are scheduled against a start time on the monotonic clock (frame n is due at
``anchor + n * period``), so there is no drift however long a prompt lasts. A writer that falls
behind by more than one frame (a stalled event loop) starts a new schedule from now instead of
sending the missed frames in a burst. ``flush()`` drops every queued frame at once (barge-in);
each prompt has a `Playback` handle whose ``done`` future says whether it played to its end
(True, at the end of its last frame's 20 ms) or was cut (False).

Audio is signed 16-bit little-endian mono at one of AudioSocket's rates; each frame goes out
with the message kind matching its rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from speech.frames import SAMPLE_WIDTH, AudioFrame
from telephony.audiosocket.codec import KIND_FOR_RATE, encode
from telephony.errors import TelephonyError

log = logging.getLogger(__name__)

FRAME_SECONDS = 0.02
"""Duration of one outbound frame, seconds."""


@dataclass(frozen=True, slots=True)
class Wait:
    """Schedule decision: sleep this many seconds before the next frame."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Send:
    """Schedule decision: send frame ``index`` of the schedule starting at ``anchor`` now."""

    anchor: float
    index: int


def schedule(now: float, anchor: float | None, index: int, period: float) -> Wait | Send:
    """When may frame ``index`` of the schedule started at ``anchor`` go out (pure)?

    No schedule yet, or more than one period late: a new schedule starts now (no burst).
    """
    if anchor is None:
        return Send(now, 0)
    due = anchor + index * period
    if now < due:
        return Wait(due - now)
    if now - due > period:
        return Send(now, 0)
    return Send(anchor, index)


def split_frames(audio: AudioFrame | Iterable[AudioFrame]) -> tuple[int, list[bytes]]:
    """A prompt as (kind, 20 ms payloads); the last one is padded with silence."""
    frames = [audio] if isinstance(audio, AudioFrame) else list(audio)
    if not frames:
        raise TelephonyError("audiosocket.format", "a prompt needs at least one frame")
    rate = frames[0].rate
    for frame in frames:
        if frame.rate != rate or frame.channels != 1:
            raise TelephonyError(
                "audiosocket.format",
                f"a prompt is mono at one rate; got {frame.channels} channel(s) at {frame.rate} Hz"
                f" after {rate} Hz",
            )
    kind = KIND_FOR_RATE.get(rate)
    if kind is None:
        raise TelephonyError("audiosocket.format", f"no AudioSocket kind for {rate} Hz")
    pcm = b"".join(frame.pcm for frame in frames)
    size = round(rate * FRAME_SECONDS) * SAMPLE_WIDTH
    chunks = [pcm[i : i + size] for i in range(0, len(pcm), size)]
    if chunks and len(chunks[-1]) < size:
        chunks[-1] = chunks[-1] + bytes(size - len(chunks[-1]))
    return kind, chunks


class Playback:
    """One queued prompt. ``done`` resolves True when played to its end, False when cut."""

    def __init__(self, kind: int, chunks: Iterable[bytes]) -> None:
        self.kind = kind
        self.chunks: deque[bytes] = deque(chunks)
        self.frames = len(self.chunks)
        """Number of 20 ms frames in the prompt."""
        self.sent = 0
        """Frames already written to the peer."""
        self.done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    async def wait(self) -> bool:
        """Wait for the end of the prompt: True if played to its end, False if cut."""
        return await asyncio.shield(self.done)

    def _finish(self, played: bool) -> None:
        self.chunks.clear()
        if not self.done.done():
            self.done.set_result(played)


Sink = Callable[[bytes], Awaitable[None]]
"""Writes one encoded message to the peer (and waits until the transport accepted it)."""


class PacedWriter:
    """Queue of prompts written to one connection at real-time pace."""

    def __init__(
        self,
        sink: Sink,
        period: float = FRAME_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sink = sink
        self._period = period
        self._clock = clock
        self._queue: deque[Playback] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._error: BaseException | None = None
        self._closing = False
        self.frames_sent = 0
        """Frames written since the writer started."""
        self.restarts = 0
        """Times the schedule started anew because the writer was over a frame late (the
        event loop or the machine was starved): each loses that delay instead of bursting."""

    def play(self, audio: AudioFrame | Iterable[AudioFrame]) -> Playback:
        """Queue a prompt after the ones already queued; returns its handle."""
        if self._error is not None:
            raise TelephonyError("audiosocket.closed", f"the connection is gone: {self._error}")
        if self._closing:
            raise TelephonyError("audiosocket.closed", "the writer is closed")
        kind, chunks = split_frames(audio)
        playback = Playback(kind, chunks)
        self._queue.append(playback)
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="audiosocket-paced-writer")
        self._wakeup.set()
        return playback

    def flush(self) -> int:
        """Drop every queued frame now (barge-in); returns how many were dropped."""
        dropped = sum(len(p.chunks) for p in self._queue)
        while self._queue:
            self._queue.popleft()._finish(False)
        self._wakeup.set()
        return dropped

    @property
    def playing(self) -> bool:
        """True while a prompt is queued or playing."""
        return bool(self._queue)

    async def close(self) -> None:
        """Stop writing; queued prompts end as cut."""
        self._closing = True
        self.flush()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _sleep(self, seconds: float) -> None:
        """Sleep, waking early if the queue changes (a flush or a new prompt)."""
        self._wakeup.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wakeup.wait()

    async def _run(self) -> None:
        anchor: float | None = None
        index = 0
        try:
            while not self._closing:
                if not self._queue:
                    anchor = None
                    self._wakeup.clear()
                    await self._wakeup.wait()
                    continue
                playback = self._queue[0]
                if not playback.chunks:
                    # Its last frame is out: it has played once that frame's 20 ms are over
                    # (an empty prompt is over at once).
                    remaining = 0.0
                    if anchor is not None:
                        remaining = anchor + index * self._period - self._clock()
                    if remaining > 0:
                        await self._sleep(remaining)
                        continue
                    self._queue.popleft()._finish(True)
                    continue
                decision = schedule(self._clock(), anchor, index, self._period)
                if isinstance(decision, Wait):
                    await self._sleep(decision.seconds)
                    continue
                if anchor is not None and decision.index == 0:
                    self.restarts += 1
                    log.debug("paced writer was late; new schedule from now")
                anchor, index = decision.anchor, decision.index
                chunk = playback.chunks.popleft()
                await self._sink(encode(playback.kind, chunk))
                playback.sent += 1
                index += 1
                self.frames_sent += 1
        except (ConnectionError, OSError, TelephonyError) as err:
            self._error = err
            log.info("paced writer stopped: %s", err)
            self.flush()
