"""The pure parts of `ivr call`: where the caller's turns start in a recording, frames."""

from __future__ import annotations

import numpy as np

from ivr.offline_call import caller_frames, turn_starts
from speech.convert import concat, frame_of, silence
from speech.frames import AudioFrame


def voice(ms: float) -> AudioFrame:
    t = np.arange(int(8 * ms)) / 8000
    return frame_of(4000 * np.sin(2 * np.pi * 300 * t), 8000)


def test_turns_start_after_long_silences_only() -> None:
    recording = concat([voice(400), silence(300, 8000), voice(200),  # one turn, a short pause
                        silence(1000, 8000), voice(400)])  # a second turn
    frames = caller_frames(recording, 8000)
    assert all(len(f) == 320 for f in frames)
    assert turn_starts(frames) == {0, 95}  # in 20 ms frames: (400 + 300 + 200 + 1000) / 20


def test_recordings_are_converted_to_the_line_rate() -> None:
    stereo = frame_of(np.zeros(2 * 22050), 22050, channels=2)  # one second, stereo 22 kHz
    assert len(caller_frames(stereo, 16000)) == 50
    assert len(caller_frames(stereo, 16000)[0]) == 640
