"""Audio conversion: resampling (streaming and one-shot), re-chunking, mono mix-down, joining.

Audio is `AudioFrame` (signed 16-bit little-endian PCM with its rate in Hz). The streaming
`Resampler` wraps `soxr.ResampleStream` and keeps its filter state across frames, so audio
cut into 20 ms frames resamples to the same samples as one long buffer (no clicks at frame
boundaries). One converter per stream and direction: never share one between two calls.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import soxr

from speech.errors import AudioFormatError
from speech.frames import SAMPLE_WIDTH, AudioFrame

_PCM = np.dtype("<i2")


def samples_of(frame: AudioFrame) -> np.ndarray:
    """The frame's samples as an int16 array (interleaved when channels > 1)."""
    return np.frombuffer(frame.pcm, dtype=_PCM)


def frame_of(samples: np.ndarray, rate: int, channels: int = 1) -> AudioFrame:
    """An `AudioFrame` from int16 samples (any other dtype is clipped and rounded first)."""
    if samples.dtype != _PCM:
        samples = np.clip(np.rint(samples), -32768, 32767)
    return AudioFrame(samples.astype(_PCM).tobytes(), rate, channels)


def silence(duration_ms: float, rate: int) -> AudioFrame:
    """Digital silence of the given duration (milliseconds, rounded to whole samples)."""
    return AudioFrame(bytes(SAMPLE_WIDTH * round(rate * duration_ms / 1000.0)), rate)


def concat(frames: Iterable[AudioFrame]) -> AudioFrame:
    """Join frames of one format into one frame; raises `AudioFormatError` on mixed formats."""
    items = list(frames)
    if not items:
        raise AudioFormatError("cannot join zero frames: the format is unknown")
    first = items[0]
    for item in items[1:]:
        if (item.rate, item.channels) != (first.rate, first.channels):
            raise AudioFormatError(
                f"cannot join {item.rate} Hz x{item.channels} audio to "
                f"{first.rate} Hz x{first.channels} audio"
            )
    return AudioFrame(b"".join(item.pcm for item in items), first.rate, first.channels)


def to_mono(frame: AudioFrame) -> AudioFrame:
    """Mix interleaved channels down to one by averaging them."""
    if frame.channels == 1:
        return frame
    mixed = samples_of(frame).reshape(-1, frame.channels).astype(np.float64).mean(axis=1)
    return frame_of(mixed, frame.rate)


def resample(frame: AudioFrame, rate: int) -> AudioFrame:
    """One-shot resampling of a whole (mono) frame to `rate` Hz, for prompts and files."""
    frame = to_mono(frame)
    if frame.rate == rate:
        return frame
    if frame.samples == 0:
        return AudioFrame(b"", rate)
    out = soxr.resample(samples_of(frame), frame.rate, rate, quality="HQ")
    return frame_of(np.asarray(out), rate)


class Resampler:
    """Streaming mono resampler from `in_rate` to `out_rate` Hz that keeps state across frames.

    Output frames may be shorter or longer than the input ones (the filter has a small delay),
    and may be empty; `flush()` returns the tail at the end of the stream.
    """

    def __init__(self, in_rate: int, out_rate: int, quality: str = "HQ") -> None:
        if in_rate <= 0 or out_rate <= 0:
            raise AudioFormatError(f"sample rates must be positive, got {in_rate} -> {out_rate}")
        self.in_rate = in_rate
        self.out_rate = out_rate
        self._stream: soxr.ResampleStream | None = None
        if in_rate != out_rate:
            self._stream = soxr.ResampleStream(in_rate, out_rate, 1, dtype="int16", quality=quality)

    def process(self, frame: AudioFrame) -> AudioFrame:
        """Resample one frame of the stream; raises `AudioFormatError` on a foreign format."""
        if frame.rate != self.in_rate or frame.channels != 1:
            raise AudioFormatError(
                f"resampler expects mono {self.in_rate} Hz audio, got "
                f"{frame.channels} channel(s) at {frame.rate} Hz"
            )
        if self._stream is None:
            return frame
        out = self._stream.resample_chunk(samples_of(frame), last=False)
        return frame_of(np.asarray(out), self.out_rate)

    def flush(self) -> AudioFrame:
        """End the stream: the samples still held by the filter (the resampler is then spent)."""
        if self._stream is None:
            return AudioFrame(b"", self.out_rate)
        out = self._stream.resample_chunk(np.zeros(0, dtype=_PCM), last=True)
        return frame_of(np.asarray(out), self.out_rate)


class Rechunker:
    """Cuts a stream of frames of any length into frames of exactly `frame_ms` milliseconds.

    The first frame fixes the format; `frame_ms` must be a whole number of samples at that
    rate (20 ms is 160 samples at 8 kHz, 320 at 16 kHz, 441 at 22 050 Hz).
    """

    def __init__(self, frame_ms: int = 20) -> None:
        if frame_ms <= 0:
            raise AudioFormatError(f"frame length must be positive, got {frame_ms} ms")
        self.frame_ms = frame_ms
        self._rate: int | None = None
        self._channels = 1
        self._frame_bytes = 0
        self._pending = bytearray()

    def push(self, frame: AudioFrame) -> list[AudioFrame]:
        """Add a frame; return the whole `frame_ms` frames now available (possibly none)."""
        if self._rate is None:
            samples = frame.rate * self.frame_ms / 1000.0
            if samples != int(samples):
                raise AudioFormatError(
                    f"{self.frame_ms} ms is not a whole number of samples at {frame.rate} Hz"
                )
            self._rate, self._channels = frame.rate, frame.channels
            self._frame_bytes = int(samples) * SAMPLE_WIDTH * frame.channels
        elif (frame.rate, frame.channels) != (self._rate, self._channels):
            raise AudioFormatError(
                f"rechunker fixed to {self._rate} Hz x{self._channels}, "
                f"got {frame.rate} Hz x{frame.channels}"
            )
        self._pending.extend(frame.pcm)
        out: list[AudioFrame] = []
        size = self._frame_bytes
        whole = len(self._pending) // size * size
        for start in range(0, whole, size):
            chunk = bytes(self._pending[start : start + size])
            out.append(AudioFrame(chunk, self._rate, self._channels))
        del self._pending[:whole]
        return out

    def flush(self, pad: bool = False) -> AudioFrame | None:
        """The remaining partial frame (zero-padded to full length when `pad`), or None."""
        if self._rate is None or not self._pending:
            return None
        rest = bytes(self._pending)
        self._pending.clear()
        if pad:
            rest += bytes(self._frame_bytes - len(rest))
        return AudioFrame(rest, self._rate, self._channels)


def split_frames(frame: AudioFrame, frame_ms: int = 20) -> list[AudioFrame]:
    """Cut a whole prompt into `frame_ms` frames for sending; the last one is padded with
    silence (20 ms at 8 kHz is one 320-byte AudioSocket frame)."""
    rechunker = Rechunker(frame_ms)
    frames = rechunker.push(frame)
    tail = rechunker.flush(pad=True)
    return frames if tail is None else [*frames, tail]
