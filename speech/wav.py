"""WAV files in and out.

`read_wav` accepts uncompressed integer PCM WAV (8-, 16-, 24- or 32-bit, any rate, any channel
count) and returns a 16-bit `AudioFrame` at the file's rate and channel count; anything else
(floating-point, compressed, truncated or not a WAV at all) raises `AudioFormatError` with the
reason. `write_wav` writes a 16-bit PCM WAV atomically (temporary file, then rename).
"""

from __future__ import annotations

import os
import tempfile
import wave
from pathlib import Path

import numpy as np

from speech.errors import AudioFormatError
from speech.frames import SAMPLE_WIDTH, AudioFrame


def _to_int16(raw: bytes, width: int) -> bytes:
    """Convert little-endian PCM of `width` bytes per sample to signed 16-bit."""
    if width == 2:
        return raw
    if width == 1:  # unsigned 8-bit
        return ((np.frombuffer(raw, np.uint8).astype(np.int16) - 128) << 8).astype("<i2").tobytes()
    if width == 3:
        triples = np.frombuffer(raw, np.uint8).reshape(-1, 3)
        return np.ascontiguousarray(triples[:, 1:]).tobytes()  # keep the two high bytes
    if width == 4:
        return (np.frombuffer(raw, "<i4") >> 16).astype("<i2").tobytes()
    raise AudioFormatError(f"unsupported WAV sample width: {width} bytes")


def read_wav(path: str | os.PathLike[str]) -> AudioFrame:
    """Read a PCM WAV file into one 16-bit frame (rate and channels as in the file)."""
    try:
        with wave.open(os.fspath(path), "rb") as wav:
            width, rate, channels = wav.getsampwidth(), wav.getframerate(), wav.getnchannels()
            count = wav.getnframes()
            raw = wav.readframes(count)
    except FileNotFoundError:
        raise
    except (wave.Error, EOFError) as err:
        raise AudioFormatError(
            f"{path}: not a usable PCM WAV file ({err}); export it as 16-bit PCM WAV"
        ) from err
    usable = len(raw) // (width * channels) * (width * channels)
    if count and usable == 0:
        raise AudioFormatError(f"{path}: WAV header announces {count} samples but none are there")
    try:
        return AudioFrame(_to_int16(raw[:usable], width), rate, channels)
    except ValueError as err:
        raise AudioFormatError(f"{path}: {err}") from err


def write_wav(path: str | os.PathLike[str], frame: AudioFrame) -> None:
    """Write the frame as a 16-bit PCM WAV file (atomically: readers never see half a file)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle, wave.open(handle, "wb") as wav:
            wav.setnchannels(frame.channels)
            wav.setsampwidth(SAMPLE_WIDTH)
            wav.setframerate(frame.rate)
            wav.writeframes(frame.pcm)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
