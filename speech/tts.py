"""Speech synthesis: French prompts as audio frames, off the event loop, with a timeout.

Each synthesis runs in a subprocess (pyttsx3 in a worker, or espeak-ng directly) that is
killed when it overruns its timeout: pyttsx3 is known to hang on a second `runAndWait` in one
process and to write empty files in some containers, so no engine state is ever reused. Engines
are tried in order; one that fails moves behind the one that worked. Output is mono 16-bit
PCM at the rate asked for (8 000 or 16 000 Hz); engines produce 22 050 Hz. Rates of speech
are in words per minute.

An engine that hangs (killed at its timeout) is left out for `hang_cooldown_s` seconds: the
next prompts, and the next calls, do not wait on it again. While every engine is left out,
synthesis fails at once (``synthesis_unavailable``) and callers hear the recorded fallbacks
without a silence first (issue 16: with espeak-ng hung, each call waited 2 x 15 s in silence).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from speech.convert import resample, samples_of
from speech.errors import AudioFormatError, SynthesisFailed
from speech.frames import AudioFrame
from speech.prompt_cache import PromptCache
from speech.settings import SpeechSettings
from speech.wav import read_wav

log = logging.getLogger(__name__)

FRENCH_VOICES = ("roa/fr", "roa/fr-be", "roa/fr-ch")
"""espeak-ng French voices (France, Belgium, Switzerland)."""
_VOICE = re.compile(r"^[\w+-]+(/[\w+-]+)*$")
_AUDIBLE = 64
"""Peak sample value below which an engine's output counts as silence (about -54 dBFS)."""


@dataclass(frozen=True, slots=True)
class SynthesisRequest:
    """What to say and how."""

    text: str
    voice: str = "roa/fr"
    """espeak-ng voice name."""
    rate_wpm: int = 160
    """Speaking rate, words per minute."""


class SynthesisEngine(ABC):
    """The boundary to a text-to-speech engine (a test double subclasses it)."""

    name: str = "engine"

    @abstractmethod
    def synthesize(self, request: SynthesisRequest, timeout_s: float) -> AudioFrame:
        """Blocking: return the speech, or raise `SynthesisFailed`; never run past the timeout."""


class SubprocessEngine(SynthesisEngine):
    """An engine run as one subprocess per synthesis, killed (its whole group) on timeout."""

    @abstractmethod
    def command(self, request: SynthesisRequest, out: Path) -> list[str]:
        """The command that reads the text on stdin and writes a WAV file to `out`."""

    def synthesize(self, request: SynthesisRequest, timeout_s: float) -> AudioFrame:
        with tempfile.TemporaryDirectory(prefix="standardiste-tts-") as tmp:
            out = Path(tmp) / "speech.wav"
            try:
                proc = subprocess.Popen(
                    self.command(request, out),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    start_new_session=True,
                )
            except OSError as err:
                raise SynthesisFailed(f"{self.name} cannot start: {err}") from err
            with proc:
                try:
                    _, stderr = proc.communicate(request.text.encode("utf-8"), timeout=timeout_s)
                except subprocess.TimeoutExpired:
                    _kill_group(proc)
                    raise SynthesisFailed(
                        f"{self.name} hung for more than {timeout_s:g} s and was killed",
                        code="synthesis_timeout",
                    ) from None
                except BaseException:
                    _kill_group(proc)
                    raise
            if proc.returncode != 0:
                detail = stderr.decode("utf-8", "replace").strip()[-300:]
                raise SynthesisFailed(f"{self.name} failed (exit {proc.returncode}): {detail}")
            try:
                frame = read_wav(out)
            except (FileNotFoundError, AudioFormatError) as err:
                raise SynthesisFailed(
                    f"{self.name} wrote no usable audio: {err}", code="synthesis_empty"
                ) from err
        if frame.samples == 0 or int(np.abs(samples_of(frame).astype(np.int32)).max()) < _AUDIBLE:
            raise SynthesisFailed(f"{self.name} wrote no sound", code="synthesis_empty")
        return frame


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the engine and everything it started, then reap it and close its pipes."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


class EspeakEngine(SubprocessEngine):
    """espeak-ng called directly."""

    name = "espeak-ng"

    def command(self, request: SynthesisRequest, out: Path) -> list[str]:
        voice, rate = request.voice, str(request.rate_wpm)
        return ["espeak-ng", "-v", voice, "-s", rate, "-w", str(out), "--stdin"]


class Pyttsx3Engine(SubprocessEngine):
    """pyttsx3 (driving espeak-ng) in a fresh Python worker process."""

    name = "pyttsx3"

    def command(self, request: SynthesisRequest, out: Path) -> list[str]:
        worker = [sys.executable, "-m", "speech.pyttsx3_worker"]
        return [*worker, request.voice, str(request.rate_wpm), str(out)]


class Synthesizer:
    """Turns French text into audio frames through a disk cache and a list of engines."""

    def __init__(
        self,
        engines: Sequence[SynthesisEngine],
        *,
        voice: str = "roa/fr",
        rate_wpm: int = 160,
        timeout_s: float = 15.0,
        cache: PromptCache | None = None,
        hang_cooldown_s: float = 60.0,
    ) -> None:
        if not engines:
            raise ValueError("a synthesizer needs at least one engine")
        self.voice = voice
        self.rate_wpm = rate_wpm
        self.timeout_s = timeout_s
        self.cache = cache
        self.hang_cooldown_s = hang_cooldown_s
        """Seconds an engine that hung is left out before it is tried again."""
        self._engines = list(engines)
        self._order_lock = threading.Lock()
        self._hung_until: dict[SynthesisEngine, float] = {}

    @classmethod
    def from_settings(cls, settings: SpeechSettings) -> Synthesizer:
        """pyttsx3 first, espeak-ng directly as the fallback, with the disk cache (trimmed to
        its size limit here, once)."""
        cache = PromptCache(settings.prompt_cache_dir)
        cache.prune(int(settings.prompt_cache_max_mb * 1_000_000))
        return cls(
            [Pyttsx3Engine(), EspeakEngine()],
            voice=settings.voice,
            rate_wpm=settings.speech_rate_wpm,
            timeout_s=settings.synthesis_timeout_s,
            cache=cache,
        )

    @property
    def engines(self) -> tuple[SynthesisEngine, ...]:
        """Engines in the order they will be tried next."""
        with self._order_lock:
            return tuple(self._engines)

    async def synthesize(
        self, text: str, rate_hz: int, *, voice: str | None = None, rate_wpm: int | None = None
    ) -> AudioFrame:
        """Speech for `text` at `rate_hz`, off the event loop; raises `SynthesisFailed`."""
        return await asyncio.to_thread(
            self.synthesize_blocking, text, rate_hz, voice=voice, rate_wpm=rate_wpm
        )

    def synthesize_blocking(
        self, text: str, rate_hz: int, *, voice: str | None = None, rate_wpm: int | None = None
    ) -> AudioFrame:
        """`synthesize` for callers already off the event loop (CLI, benchmarks)."""
        request = SynthesisRequest(text.strip(), voice or self.voice, rate_wpm or self.rate_wpm)
        if not request.text:
            raise SynthesisFailed("there is no text to say", code="empty_text")
        if not _VOICE.match(request.voice):
            raise SynthesisFailed(f"invalid voice name {request.voice!r}", code="bad_voice")
        if not 40 <= request.rate_wpm <= 500:
            raise SynthesisFailed(f"rate {request.rate_wpm} wpm is outside 40-500", code="bad_rate")
        key = PromptCache.key(request.text, request.voice, request.rate_wpm, rate_hz)
        if self.cache is not None and (cached := self.cache.get(key)) is not None:
            return cached
        failures: list[SynthesisFailed] = []
        failed: list[SynthesisEngine] = []
        engines = self._usable()
        if not engines:
            raise SynthesisFailed(
                f"every synthesis engine hung less than {self.hang_cooldown_s:g} s ago",
                code="synthesis_unavailable")
        for engine in engines:
            try:
                frame = resample(engine.synthesize(request, self.timeout_s), rate_hz)
            except SynthesisFailed as err:
                log.warning("speech synthesis with %s failed: %s", engine.name, err)
                failures.append(err)
                failed.append(engine)
                if err.code == "synthesis_timeout":
                    self._left_out(engine)
                continue
            if failed:
                self._demote(failed)
            if self.cache is not None:
                self.cache.put(key, frame)
            return frame
        codes = {f.code for f in failures}
        raise SynthesisFailed(
            "; ".join(str(f) for f in failures),
            code=codes.pop() if len(codes) == 1 else "synthesis_failed",
        )

    def _usable(self) -> list[SynthesisEngine]:
        """Engines to try now, in order: those that hung recently are left out."""
        now = time.monotonic()
        with self._order_lock:
            return [e for e in self._engines if self._hung_until.get(e, 0.0) <= now]

    def _left_out(self, engine: SynthesisEngine) -> None:
        with self._order_lock:
            self._hung_until[engine] = time.monotonic() + self.hang_cooldown_s
        log.warning("speech synthesis: %s hung; left out for %g s", engine.name,
                    self.hang_cooldown_s)

    def _demote(self, failed: Sequence[SynthesisEngine]) -> None:
        with self._order_lock:
            self._engines = [e for e in self._engines if e not in failed] + list(failed)
