"""Voice activity per frame with webrtcvad: one `VoiceDetector` per call (it keeps state).

Frames must be mono 16-bit PCM of 10, 20 or 30 ms at 8 000, 16 000, 32 000 or 48 000 Hz (one
320-byte AudioSocket frame is 20 ms at 8 kHz). Other rates go through `speech.convert` first.

A frame quieter than `min_rms` (root mean square of the samples, in 16-bit sample units; 60 is
about -55 dBFS) is never voice: webrtcvad was seen taking a faint steady line noise that
follows speech for voice for seconds on end, which kept utterances open. Telephone speech sits
far above that floor (about 1 500 RMS for normal speech, 150 for speech 20 dB quieter).
"""

from __future__ import annotations

import numpy as np
import webrtcvad

from speech.errors import AudioFormatError
from speech.frames import AudioFrame

VAD_RATES = frozenset({8000, 16000, 32000, 48000})
"""Sample rates (Hz) webrtcvad accepts."""
VAD_FRAME_MS = frozenset({10, 20, 30})
"""Frame lengths (milliseconds) webrtcvad accepts."""


class VoiceDetector:
    """Says whether a frame holds voice. Aggressiveness 0 (lenient) to 3 (strict)."""

    def __init__(self, aggressiveness: int = 2, min_rms: float = 60.0) -> None:
        if aggressiveness not in range(4):
            raise ValueError(f"aggressiveness must be 0, 1, 2 or 3, got {aggressiveness}")
        if min_rms < 0:
            raise ValueError(f"min_rms must not be negative, got {min_rms}")
        self.aggressiveness = aggressiveness
        self.min_rms = min_rms
        self._vad = webrtcvad.Vad(aggressiveness)

    def is_speech(self, frame: AudioFrame) -> bool:
        """True when webrtcvad hears voice in this 10/20/30 ms mono frame."""
        if frame.channels != 1 or frame.rate not in VAD_RATES:
            raise AudioFormatError(
                f"voice detection needs mono audio at {sorted(VAD_RATES)} Hz, "
                f"got {frame.channels} channel(s) at {frame.rate} Hz"
            )
        if frame.samples * 1000 not in {ms * frame.rate for ms in VAD_FRAME_MS}:
            raise AudioFormatError(
                f"voice detection needs 10, 20 or 30 ms frames, got {frame.duration_ms:g} ms"
            )
        voiced = bool(self._vad.is_speech(frame.pcm, frame.rate))
        if voiced and self.min_rms > 0:
            samples = np.frombuffer(frame.pcm, dtype="<i2").astype(np.float64)
            voiced = float(np.sqrt(np.mean(samples * samples))) >= self.min_rms
        return voiced
