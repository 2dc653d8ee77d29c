"""Measures on real audio for the end-to-end tests: level, pitch, speech envelope."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float64]


def samples(pcm: bytes) -> Samples:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64)


def read_wav(path: Path) -> tuple[Samples, int]:
    """Mono 16-bit WAV as (samples, rate)."""
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2 and wav.getnchannels() == 1, path
        return samples(wav.readframes(wav.getnframes())), wav.getframerate()


def rms(x: Samples) -> float:
    return float(np.sqrt(np.mean(x**2))) if len(x) else 0.0


def dominant_frequency(x: Samples, rate: int) -> float:
    """Frequency (Hz) of the strongest spectral peak."""
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[int(np.argmax(spectrum))])


def envelope(x: Samples, rate: int) -> Samples:
    """Level per 20 ms, in dB."""
    size = rate // 50
    frames = x[: len(x) // size * size].reshape(-1, size)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1.0)


def envelope_match(sent: Samples, sent_rate: int, got: Samples, got_rate: int) -> float:
    """Best normalised correlation of the two speech envelopes over any delay (-1..1)."""
    a, b = envelope(sent, sent_rate), envelope(got, got_rate)
    a = (a - a.mean()) / (a.std() + 1e-9)
    best = -1.0
    for lag in range(0, max(1, len(b) - len(a) + 1)):
        part = b[lag : lag + len(a)]
        if len(part) < len(a):
            break
        part = (part - part.mean()) / (part.std() + 1e-9)
        best = max(best, float(np.mean(a * part)))
    return best
