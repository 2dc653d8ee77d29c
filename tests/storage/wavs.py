"""Small WAV files made in memory for the tests."""

from __future__ import annotations

import io
import wave


def wav_bytes(rate: int = 8000, channels: int = 1, width: int = 2, seconds: float = 0.5) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(b"\x01" * width * channels * int(rate * seconds))
    return buffer.getvalue()
