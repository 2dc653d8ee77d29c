"""The audio frame that travels between every stage of a call.

Audio is signed 16-bit little-endian PCM (AudioSocket's and webrtcvad's format); a frame
carries its sample rate (Hz) and channel count so that bare bytes never travel alone.
"""

from __future__ import annotations

from dataclasses import dataclass

SAMPLE_WIDTH = 2
"""Bytes per sample: signed 16-bit little-endian everywhere."""


@dataclass(frozen=True, slots=True)
class AudioFrame:
    """A piece of PCM audio with its format."""

    pcm: bytes
    """Signed 16-bit little-endian samples, interleaved when channels > 1."""
    rate: int
    """Sample rate in Hz (8000, 16000, 22050, ...)."""
    channels: int = 1
    """Number of interleaved channels."""

    def __post_init__(self) -> None:
        if self.rate <= 0:
            raise ValueError(f"sample rate must be positive, got {self.rate}")
        if self.channels <= 0:
            raise ValueError(f"channel count must be positive, got {self.channels}")
        if len(self.pcm) % (SAMPLE_WIDTH * self.channels):
            raise ValueError(
                f"{len(self.pcm)} bytes is not a whole number of "
                f"{self.channels}-channel 16-bit samples"
            )

    @property
    def samples(self) -> int:
        """Samples per channel in this frame."""
        return len(self.pcm) // (SAMPLE_WIDTH * self.channels)

    @property
    def duration(self) -> float:
        """Duration in seconds."""
        return self.samples / self.rate

    @property
    def duration_ms(self) -> float:
        """Duration in milliseconds."""
        return 1000.0 * self.samples / self.rate
