"""Test doubles at the synthesis-engine boundary (subclasses of the real abstract classes)."""

from __future__ import annotations

import sys
from pathlib import Path

from speech.frames import AudioFrame
from speech.tts import EspeakEngine, SubprocessEngine, SynthesisEngine, SynthesisRequest


class HangingEngine(SubprocessEngine):
    """A subprocess that never finishes (like pyttsx3's second runAndWait); writes its pid."""

    name = "hanging"

    def __init__(self, pid_file: Path) -> None:
        self.pid_file = pid_file

    def command(self, request: SynthesisRequest, out: Path) -> list[str]:
        code = (
            "import os, sys, time; "
            f"open({str(self.pid_file)!r}, 'w').write(str(os.getpid())); "
            "sys.stdin.read(); time.sleep(120)"
        )
        return [sys.executable, "-c", code]


class SilentEngine(SubprocessEngine):
    """Exits cleanly without writing audio (pyttsx3's empty files in some containers)."""

    name = "silent"

    def command(self, request: SynthesisRequest, out: Path) -> list[str]:
        return [sys.executable, "-c", "import sys; sys.stdin.read()"]


class CountingEngine(SynthesisEngine):
    """Real espeak-ng synthesis that counts how often it was asked."""

    name = "counting-espeak"

    def __init__(self) -> None:
        self.calls = 0
        self._real = EspeakEngine()

    def synthesize(self, request: SynthesisRequest, timeout_s: float) -> AudioFrame:
        self.calls += 1
        return self._real.synthesize(request, timeout_s)


class MuteEngine(SubprocessEngine):
    """Writes a well-formed WAV of digital silence (another way engines fail in containers)."""

    name = "mute"

    def command(self, request: SynthesisRequest, out: Path) -> list[str]:
        code = (
            "import sys, wave; sys.stdin.read(); w = wave.open(sys.argv[1], 'wb'); "
            "w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050); "
            "w.writeframes(bytes(44100)); w.close()"
        )
        return [sys.executable, "-c", code, str(out)]
