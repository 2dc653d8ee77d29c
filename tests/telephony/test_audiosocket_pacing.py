"""The paced writer: schedule decisions (pure) and real-time behaviour on a real socket."""

from __future__ import annotations

import asyncio
import time

import pytest

from speech.frames import AudioFrame
from telephony.audiosocket.pacing import PacedWriter, Send, Wait, schedule, split_frames
from telephony.errors import TelephonyError


def test_schedule_is_anchored_to_the_start_time() -> None:
    # Frame 3000 of a schedule started at 100 s is due at exactly 160 s: no accumulated drift.
    assert schedule(159.99, 100.0, 3000, 0.02) == Wait(pytest.approx(0.01))
    assert schedule(160.0, 100.0, 3000, 0.02) == Send(100.0, 3000)
    assert schedule(160.015, 100.0, 3000, 0.02) == Send(100.0, 3000)


def test_schedule_starts_anew_rather_than_bursting() -> None:
    assert schedule(5.0, None, 0, 0.02) == Send(5.0, 0)
    # More than one frame late: restart from now instead of sending the backlog at once.
    assert schedule(160.5, 100.0, 3000, 0.02) == Send(160.5, 0)


def test_prompts_are_cut_into_20ms_frames_padded_with_silence() -> None:
    kind, chunks = split_frames(AudioFrame(b"\x01\x00" * 400, 16000))
    assert kind == 0x12
    assert [len(c) for c in chunks] == [640, 640]
    assert chunks[1][160:] == bytes(480)


def test_prompts_at_mixed_rates_are_refused() -> None:
    with pytest.raises(TelephonyError):
        split_frames([AudioFrame(bytes(320), 8000), AudioFrame(bytes(640), 16000)])
    with pytest.raises(TelephonyError):
        split_frames([])


class RecordingSink:
    """The boundary the writer writes to: records when each message left."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.messages: list[bytes] = []

    async def __call__(self, data: bytes) -> None:
        self.times.append(time.monotonic())
        self.messages.append(data)


async def test_one_frame_per_20ms_and_the_end_of_a_prompt_is_reported() -> None:
    sink = RecordingSink()
    writer = PacedWriter(sink)
    start = time.monotonic()
    first = writer.play(AudioFrame(bytes(320 * 25), 8000))  # 0.5 s
    second = writer.play(AudioFrame(bytes(640 * 25), 16000))  # 0.5 s
    assert await first.wait() is True
    first_end = time.monotonic() - start
    assert await second.wait() is True
    second_end = time.monotonic() - start
    await writer.close()
    assert [m[0] for m in sink.messages] == [0x10] * 25 + [0x12] * 25
    # Never faster than real time; slower only by scheduling hiccups (the machine may be busy).
    assert 0.5 <= first_end < 0.9
    assert 1.0 <= second_end < 1.6
    # No burst: no frame ever goes out ahead of its real-time slot (a late writer restarts its
    # schedule later, never earlier), so the peer never gets audio faster than it plays.
    for i, t in enumerate(sink.times):
        assert t - sink.times[0] >= 0.02 * i - 0.002


async def test_flush_drops_queued_audio_at_once() -> None:
    sink = RecordingSink()
    writer = PacedWriter(sink)
    first = writer.play(AudioFrame(bytes(320 * 100), 8000))  # 2 s
    second = writer.play(AudioFrame(bytes(320 * 100), 8000))
    await asyncio.sleep(0.2)
    dropped = writer.flush()
    assert first.done.done() and second.done.done()
    assert await first.wait() is False and await second.wait() is False
    assert 150 < dropped < 200
    sent = len(sink.messages)
    await asyncio.sleep(0.1)
    assert len(sink.messages) == sent
    assert not writer.playing
    # The writer keeps serving after a barge-in.
    third = writer.play(AudioFrame(bytes(320 * 3), 8000))
    assert await third.wait() is True
    await writer.close()


async def test_a_broken_peer_ends_playbacks_as_cut() -> None:
    async def broken(data: bytes) -> None:
        raise ConnectionResetError("peer gone")

    writer = PacedWriter(broken)
    playback = writer.play(AudioFrame(bytes(320 * 10), 8000))
    assert await asyncio.wait_for(playback.wait(), 1) is False
    with pytest.raises(TelephonyError) as err:
        writer.play(AudioFrame(bytes(320), 8000))
    assert err.value.code == "audiosocket.closed"
    await writer.close()


async def test_an_empty_prompt_is_over_at_once_and_a_closed_writer_refuses() -> None:
    sink = RecordingSink()
    writer = PacedWriter(sink)
    assert await asyncio.wait_for(writer.play(AudioFrame(b"", 8000)).wait(), 1) is True
    assert sink.messages == []
    await writer.close()
    with pytest.raises(TelephonyError) as err:
        writer.play(AudioFrame(bytes(320), 8000))
    assert err.value.code == "audiosocket.closed"
