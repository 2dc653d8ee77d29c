"""The callers of the load benchmark (`bench/calls.py`): many AudioSocket calls on one event
loop, each following a scripted conversation at real-time pace.

One ticker sends every call's next 20 ms frame at ``start + n * 20 ms`` on the monotonic clock
(speech of the current turn, else digital silence, as Asterisk streams the line all along);
each call's replies are read by an `asyncio.Protocol` that timestamps every audio message on
arrival. A call's script alternates speech turns (a real espeak-ng recording) and keypad
turns (one DTMF message); before each turn the caller waits until the assistant has been
quiet for `QUIET_S`, then pauses (`pause_s`), like a polite caller.

Measured per turn: milliseconds from the send of the last voiced frame of the caller's speech
(or of the DTMF message) to the arrival of the reply's first audio frame. Measured per reply:
the spacing of consecutive audio frames (milliseconds; a spacing of `GAP_MS` or more inside a
reply is a gap: the line went silent mid-prompt, unless the next frame follows within
`BURST_MS`, which means this client read both late). Audio is 16-bit mono PCM at `rate` Hz.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
import uuid
from dataclasses import dataclass, field

import numpy as np

from telephony.audiosocket.codec import AUDIO_KINDS, HEADER, KIND_FOR_RATE, encode, encode_uuid

FRAME_S = 0.02
QUIET_S = 0.6
"""The assistant counts as done talking after this long without a frame, seconds."""
GAP_MS = 40.0
"""A spacing of at least two frame periods inside a reply: a frame was missing."""
BURST_MS = 10.0
"""A frame arriving this soon after the previous one was held up on our side."""
REPLY_TIMEOUT_S = 12.0
"""A turn with no reply after this long is counted unanswered (no-input is 6 s)."""
VOICED_RMS = 300.0


@dataclass(frozen=True, slots=True)
class Turn:
    """One caller turn: speech frames (20 ms PCM payloads) or keypad digits."""

    speech: tuple[bytes, ...] = ()
    digits: str = ""

    @property
    def kind(self) -> str:
        return "speech" if self.speech else "dtmf"

    def last_voiced(self) -> int:
        """Index of the last frame of `speech` louder than `VOICED_RMS`."""
        for index in range(len(self.speech) - 1, -1, -1):
            samples = np.frombuffer(self.speech[index], "<i2").astype(np.float64)
            if float(np.sqrt(np.mean(samples * samples))) >= VOICED_RMS:
                return index
        return len(self.speech) - 1


@dataclass(slots=True)
class Measures:
    """What one call measured."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"speech": [], "dtmf": []})
    """Turn kind -> milliseconds from the end of the caller's turn to the reply's first frame."""
    spacing_ms: list[float] = field(default_factory=list)
    gaps: int = 0
    unanswered: int = 0
    replies: int = 0
    ended_by_service: bool = False


class _Line(asyncio.Protocol):
    """The call's socket: parses AudioSocket messages from the service."""

    def __init__(self, call: LoadCall) -> None:
        self.call = call
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        self.buffer += data
        while len(self.buffer) >= HEADER.size:
            kind, length = HEADER.unpack_from(self.buffer)
            if len(self.buffer) < HEADER.size + length:
                return
            del self.buffer[: HEADER.size + length]
            if kind == 0x00:
                self.call.hung_up_by_service()
            elif kind in AUDIO_KINDS:
                self.call.audio_arrived(now)

    def connection_lost(self, exc: Exception | None) -> None:
        self.call.hung_up_by_service()


class LoadCall:
    """One scripted caller: a state machine driven by the ticker and by arriving audio."""

    def __init__(self, script: list[Turn], rate: int, pause_s: float, seed: int) -> None:
        start = (2 * seed) % len(script) if script else 0  # callers start at different turns
        self.script = itertools.cycle(script[start:] + script[:start])
        self.kind = KIND_FOR_RATE[rate]
        self.silence = bytes(round(rate * FRAME_S) * 2)
        self.pause_s = pause_s
        self.random = random.Random(seed)
        self.measures = Measures()
        self.line: _Line | None = None
        self.done = False
        self._last_audio: float | None = None
        self._turn: Turn | None = None
        self._cursor = 0
        self._last_voiced = 0
        self._act_at: float | None = None
        self._sent_at: float | None = None
        """When the current turn's caller action ended (last voiced frame / digits sent)."""
        self._awaiting = False
        self._maybe_gap = False
        """The last spacing was long: a gap unless the next frame came at once (then the
        benchmark's own loop was late reading, not the service late sending)."""
        self.ends_at = 0.0
        """Monotonic time the caller hangs up."""
        self.measure_from = 0.0
        """Monotonic time from which turns and replies are measured (every call started)."""

    async def connect(self, host: str, port: int) -> None:
        loop = asyncio.get_running_loop()
        _, line = await loop.create_connection(lambda: _Line(self), host, port)
        self.line = line
        self._write(encode_uuid(uuid.uuid4()))

    def _write(self, data: bytes) -> None:
        if self.line is not None and self.line.transport is not None:
            self.line.transport.write(data)

    # -- events ----------------------------------------------------------------------------
    def audio_arrived(self, now: float) -> None:
        m = self.measures
        if self._awaiting and self._sent_at is not None:
            assert self._turn is not None
            if self._sent_at >= self.measure_from:
                m.latencies[self._turn.kind].append((now - self._sent_at) * 1000)
                m.replies += 1
            self._awaiting = False
            self._sent_at = None
        elif now < self.measure_from:
            pass  # the calls are still arriving: not every call is in progress yet
        elif self._last_audio is not None and now - self._last_audio < QUIET_S:
            spacing = (now - self._last_audio) * 1000
            m.spacing_ms.append(spacing)
            if self._maybe_gap and spacing >= BURST_MS:
                m.gaps += 1
            self._maybe_gap = spacing >= GAP_MS
        self._last_audio = now
        self._act_at = None  # the assistant talks: the caller waits for it to finish

    def hung_up_by_service(self) -> None:
        if not self.done:
            self.measures.ended_by_service = True
            self.done = True

    # -- the ticker's 20 ms --------------------------------------------------------------
    def tick(self, now: float) -> None:
        """Send this call's next frame (and digits when a keypad turn starts)."""
        if self.done:
            return
        frame = self.silence
        if self._turn is not None and self._cursor < len(self._turn.speech):
            frame = self._turn.speech[self._cursor]
            if self._cursor == self._last_voiced:
                self._sent_at = now
            self._cursor += 1
        elif self._awaiting:
            if self._sent_at is not None and now - self._sent_at > REPLY_TIMEOUT_S:
                self.measures.unanswered += 1
                self._awaiting = False
        elif self._quiet(now):
            if self._act_at is None:
                self._act_at = now + self.pause_s * (0.5 + self.random.random())
            elif now >= self._act_at:
                self._start_turn(now)
                if self._turn is not None and self._turn.speech:
                    frame = self._turn.speech[0]
                    self._cursor = 1
        self._write(encode(self.kind, frame))

    def _quiet(self, now: float) -> bool:
        return self._last_audio is not None and now - self._last_audio >= QUIET_S

    def _start_turn(self, now: float) -> None:
        turn = next(self.script)
        self._turn, self._cursor, self._act_at, self._awaiting = turn, 0, None, True
        if turn.speech:
            self._last_voiced = turn.last_voiced()
            self._sent_at = None
        else:
            self._write(encode(0x03, turn.digits.encode("ascii")))
            self._sent_at = now

    def hang_up(self) -> None:
        """The caller hangs up (the turn in flight is not counted)."""
        self.done = True
        if self.line is not None and self.line.transport is not None:
            with contextlib.suppress(Exception):
                self.line.transport.write(encode(0x00, b""))
            self.line.transport.close()


async def run_calls(
    host: str, port: int, script: list[Turn], *, calls: int, seconds: float, rate: int,
    pause_s: float = 0.5, ramp_s: float = 2.0,
) -> list[Measures]:
    """`calls` callers for `seconds` each (starts spread evenly over `ramp_s`); their
    measures, taken once every call has started."""
    callers = [LoadCall(script, rate, pause_s, seed) for seed in range(calls)]
    starts = [ramp_s * i / max(1, calls) for i in range(calls)]
    began = time.monotonic()
    for call in callers:
        call.measure_from = began + ramp_s
    active: list[LoadCall] = []
    pending = list(zip(starts, callers, strict=True))
    for tick in itertools.count():
        due = began + tick * FRAME_S
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        now = time.monotonic()
        while pending and pending[0][0] <= now - began:
            _, call = pending.pop(0)
            call.ends_at = now + seconds
            await call.connect(host, port)
            active.append(call)
        for call in active:
            if now >= call.ends_at and not call.done:
                call.hang_up()
            call.tick(now)
        if not pending and all(call.done for call in active):
            break
    return [call.measures for call in callers]
