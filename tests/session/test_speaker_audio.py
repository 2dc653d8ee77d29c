"""Louder prompts for callers who hear with difficulty (pure)."""

from __future__ import annotations

import numpy as np

from ivr.session.speaker import louder
from speech.convert import frame_of, samples_of


def test_louder_scales_and_clips() -> None:
    audio = frame_of(np.array([1000, -1000, 30000, -30000]), 8000)
    out = samples_of(louder(audio, 1.5)).tolist()
    assert out == [1500, -1500, 32767, -32768]
