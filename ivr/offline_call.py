"""A whole call from a recording of the caller's side, through the real service code: the
AudioSocket server on an ephemeral loopback port and a client that speaks the real framing.

The client streams the caller's WAV (any PCM WAV; mixed to mono and resampled to `rate` Hz)
in 20 ms frames, paced by the monotonic clock at `speed` times real time, then silence until
the service ends the call or `max_seconds` of call time pass. With `wait_prompts` (the
default) each caller turn (a stretch of the recording between silences of at least
`TURN_GAP_MS`) starts only once the assistant has been quiet for `QUIET_MS`, as a polite
caller would; without it the recording is streamed as recorded (the caller may barge in).
Keypad digits are sent at given call times (seconds). The conversation is returned as one
stereo frame (left: caller, right: assistant) at `rate` Hz.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass, field

import numpy as np

from ivr.service import Service
from ivr.session.report import CallReport
from speech.convert import resample, samples_of, to_mono
from speech.frames import AudioFrame
from telephony.audiosocket.codec import AUDIO_KINDS, HEADER, KIND_FOR_RATE, encode, encode_uuid

FRAME_S = 0.02
TURN_GAP_MS = 700
QUIET_MS = 400
SPEECH_LEVEL = 300.0
"""RMS level (16-bit units) above which a 20 ms frame of the recording counts as speech."""


@dataclass(slots=True)
class OfflineResult:
    report: CallReport
    conversation: AudioFrame
    """Stereo: left the caller, right the assistant."""
    seconds: float
    """Call time simulated, seconds."""


@dataclass(slots=True)
class _Tracks:
    rate: int
    caller: list[bytes] = field(default_factory=list)
    assistant: dict[int, bytes] = field(default_factory=dict)
    """Frame index (20 ms slots of the call) -> assistant audio."""
    last_assistant: float = 0.0
    """Monotonic time the latest assistant frame arrived."""

    def stereo(self) -> AudioFrame:
        size = round(self.rate * FRAME_S) * 2
        slots = max(len(self.caller), max(self.assistant, default=-1) + 1)
        left = b"".join(self.caller).ljust(slots * size, b"\0")
        right = b"".join(self.assistant.get(i, bytes(size)) for i in range(slots))
        pair = np.stack([np.frombuffer(left, "<i2"), np.frombuffer(right, "<i2")], axis=1)
        return AudioFrame(pair.astype("<i2").tobytes(), self.rate, 2)


def caller_frames(recording: AudioFrame, rate: int) -> list[bytes]:
    """The recording as 20 ms mono frames at `rate` Hz (the last one padded)."""
    pcm = resample(to_mono(recording), rate).pcm
    size = round(rate * FRAME_S) * 2
    return [pcm[i:i + size].ljust(size, b"\0") for i in range(0, len(pcm), size)]


def turn_starts(frames: list[bytes]) -> set[int]:
    """Indexes of frames that start a caller turn (speech after a long enough silence)."""
    starts: set[int] = set()
    quiet = TURN_GAP_MS  # the recording's start counts as after a silence
    for index, frame in enumerate(frames):
        level = float(np.sqrt(np.mean(samples_of(AudioFrame(frame, 8000)).astype(float) ** 2)))
        if level >= SPEECH_LEVEL:
            if quiet >= TURN_GAP_MS:
                starts.add(index)
            quiet = 0
        else:
            quiet += int(FRAME_S * 1000)
    return starts


async def run_offline_call(
    service: Service,
    recording: AudioFrame,
    *,
    rate: int = 8000,
    speed: float = 1.0,
    wait_prompts: bool = True,
    digits: list[tuple[float, str]] | None = None,
    max_seconds: float = 180.0,
) -> OfflineResult:
    """Play one call against a started `service`; returns its report and audio."""
    if rate not in KIND_FOR_RATE:
        raise ValueError(f"AudioSocket has no {rate} Hz audio")
    frames = caller_frames(recording, rate)
    starts = turn_starts(frames) if wait_prompts else set()
    pending = sorted(digits or [])
    tracks = _Tracks(rate)
    reader, writer = await asyncio.open_connection("127.0.0.1", service.audiosocket_port)
    call_id = uuid.uuid4()
    writer.write(encode_uuid(call_id))
    receiver = asyncio.create_task(_receive(reader, tracks), name="offline-call-receiver")
    silence = bytes(round(rate * FRAME_S) * 2)
    kind = KIND_FOR_RATE[rate]
    sent = cursor = 0
    begun = time.monotonic()
    try:
        while not receiver.done() and sent * FRAME_S < max_seconds:
            quiet = time.monotonic() - tracks.last_assistant >= QUIET_MS / 1000
            if cursor < len(frames) and (cursor not in starts or quiet):
                frame = frames[cursor]
                cursor += 1
            else:
                frame = silence
            while pending and pending[0][0] <= sent * FRAME_S:
                for digit in pending.pop(0)[1]:
                    writer.write(encode(0x03, digit.encode("ascii")))
            writer.write(encode(kind, frame))
            tracks.caller.append(frame)
            sent += 1
            try:
                await writer.drain()
            except ConnectionError:
                break
            delay = begun + sent * FRAME_S / speed - time.monotonic()
            await asyncio.sleep(max(0.0, delay))
    finally:
        if not receiver.done():
            writer.close()  # the caller hangs up
        with contextlib.suppress(Exception):
            await asyncio.wait_for(receiver, 5.0)
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()
    report = await asyncio.wait_for(service.finished.get(), 30.0)
    return OfflineResult(report, tracks.stereo(), sent * FRAME_S)


async def _receive(reader: asyncio.StreamReader, tracks: _Tracks) -> None:
    """Collect the assistant's audio until the service hangs up or closes."""
    slot = 0
    while True:
        try:
            header = await reader.readexactly(HEADER.size)
            kind, length = HEADER.unpack(header)
            payload = await reader.readexactly(length)
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        if kind == 0x00:
            return
        if kind in AUDIO_KINDS:
            now = time.monotonic()
            audio = payload
            if AUDIO_KINDS[kind] != tracks.rate:
                audio = resample(AudioFrame(payload, AUDIO_KINDS[kind]), tracks.rate).pcm
            slot = max(slot, len(tracks.caller) - 1)  # exact at speed 1
            tracks.assistant[slot] = audio
            slot += 1
            tracks.last_assistant = now

