"""The assistant's voice in one call: prompts rendered (recording, cache or synthesis) off the
event loop and queued on the paced AudioSocket writer; stopped at once on barge-in.

Prompts are rendered one after the other while the previous one plays, so the caller hears
the first sentence as soon as it is ready. A prompt that cannot be synthesised is replaced by
the recorded fallback "Désolé, une erreur est survenue." and `voice_lost` is set: the session
then hands the call to a person. Audio is mono 16-bit PCM at the line's rate (Hz).

The caller never waits in silence for a prompt longer than `prompt_wait_s` seconds: a prompt
still not rendered by then counts as a synthesis failure (``synthesis_slow``), whatever the
engine's own timeout (a hung espeak-ng is killed only after `synthesis_timeout_s`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import numpy as np

from dialogs.events import Say
from ivr.metrics import ServiceMetrics
from ivr.session.fallback_prompts import FallbackPrompts
from speech.convert import frame_of, samples_of
from speech.errors import SynthesisFailed
from speech.frames import AudioFrame
from speech.prompts import PromptAudio
from telephony.audiosocket import AudioSocketConnection, Playback
from telephony.errors import TelephonyError

log = logging.getLogger(__name__)

MIN_WPM = 80
"""Slowest speaking rate asked of the synthesizer, words per minute."""
POLL_S = 0.05
"""How often a slow prompt's wait checks whether the caller is still hearing something, s."""
CLEAR_GAIN = 1.6
"""Loudness factor of prompts for callers who hear with difficulty (clipped to 16 bits)."""


def louder(audio: AudioFrame, gain: float = CLEAR_GAIN) -> AudioFrame:
    """The same audio `gain` times louder, clipped to the 16-bit range."""
    scaled = np.clip(samples_of(audio).astype(np.float32) * gain, -32768, 32767)
    return frame_of(scaled, audio.rate, audio.channels)


class Speaker:
    """Says prompts on one call."""

    def __init__(
        self,
        connection: AudioSocketConnection,
        prompts: PromptAudio,
        fallback: FallbackPrompts,
        metrics: ServiceMetrics,
        rate: Callable[[], int],
        prompt_wait_s: float = 4.0,
    ) -> None:
        self._connection = connection
        self._prompts = prompts
        self._fallback = fallback
        self._metrics = metrics
        self._rate = rate
        self._prompt_wait_s = prompt_wait_s
        self._task: asyncio.Task[None] | None = None
        self._last: Playback | None = None
        self.voice_lost = False
        """Synthesis failed in this call: the caller only hears recorded fallbacks now."""
        self.lost = asyncio.Event()
        """Set when `voice_lost` becomes true."""
        self.spoken: list[str] = []
        """Texts whose audio was queued, in order."""
        self.interruptible = True

    @property
    def playing(self) -> bool:
        """Whether a prompt is being prepared or played."""
        rendering = self._task is not None and not self._task.done()
        return rendering or self._connection.audio.playing

    def say(self, items: Sequence[Say], since: float | None = None) -> None:
        """Start saying `items` after what is already queued; `since` (monotonic seconds) is
        the end of the caller's turn, for the turn-latency metric."""
        items = [item for item in items if item.text.strip()]
        if not items:
            return
        self.interruptible = all(item.barge_in for item in items)
        previous = self._task
        self._task = asyncio.create_task(self._render_all(items, previous, since),
                                         name="speaker")

    def play_fallback(self, prompt_id: str) -> None:
        """Queue a recorded fallback sentence."""
        try:
            audio = self._fallback.load(prompt_id, self._rate())
        except (KeyError, FileNotFoundError) as err:
            log.error("no fallback prompt %s: %s", prompt_id, err)
            return
        self._play(audio)

    async def _render_all(
        self, items: Sequence[Say], previous: asyncio.Task[None] | None, since: float | None
    ) -> None:
        if previous is not None:
            await asyncio.wait({previous})
        for item in items:
            audio = await self._render(item)
            if audio is None:
                self.play_fallback("erreur")
                return
            self._play(audio)
            self.spoken.append(item.text)
            if since is not None:
                self._metrics.turn_latency.observe(time.monotonic() - since)
                since = None

    async def _render(self, item: Say) -> AudioFrame | None:
        if self.voice_lost:
            return None
        started = time.monotonic()
        try:
            audio = await self._within_silence(self._audio(item, self._rate()))
        except SynthesisFailed as err:
            log.error("speech synthesis failed (%s): %s", err.code, err)
            self._metrics.errors.labels(code=err.code).inc()
            self.voice_lost = True
            self.lost.set()
            return None
        except Exception:  # any other failure must not leave the line silent either
            log.exception("prompt rendering failed")
            self._metrics.errors.labels(code="synthesis_failed").inc()
            self.voice_lost = True
            self.lost.set()
            return None
        self._metrics.synthesis.observe(time.monotonic() - started)
        return audio

    async def _within_silence(self, rendering: Coroutine[Any, Any, AudioFrame]) -> AudioFrame:
        """The rendered prompt, unless the line has been silent for `prompt_wait_s` meanwhile
        (the rendering is then abandoned: `SynthesisFailed`, code ``synthesis_slow``)."""
        task = asyncio.ensure_future(rendering)
        loop = asyncio.get_running_loop()
        silent_since = loop.time()
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=POLL_S)
                if done:
                    return task.result()
                if self._connection.audio.playing:
                    silent_since = loop.time()
                elif loop.time() - silent_since > self._prompt_wait_s:
                    raise SynthesisFailed(
                        f"no prompt audio after {self._prompt_wait_s:g} s of silence",
                        code="synthesis_slow")
        finally:
            if not task.done():
                task.cancel()

    async def _audio(self, item: Say, rate: int) -> AudioFrame:
        """The prompt at the caller's pace; louder when they hear with difficulty (`clear`),
        their recording preferred then."""
        prompts = self._prompts
        if item.pace == 1.0 or (item.clear and item.prompt_id):
            audio = await prompts.render(item.text, rate, item.prompt_id)
        else:
            wpm = max(MIN_WPM, round(prompts.synthesizer.rate_wpm * item.pace))
            audio = await prompts.synthesizer.synthesize(item.text, rate, rate_wpm=wpm)
        return louder(audio) if item.clear else audio

    def _play(self, audio: AudioFrame) -> None:
        try:
            self._last = self._connection.play(audio)
        except TelephonyError as err:
            log.info("prompt not played: %s", err)

    def stop(self) -> int:
        """Barge-in: stop preparing and drop every queued frame; returns frames dropped."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        return self._connection.flush()

    async def wait(self) -> bool:
        """Wait until everything said so far has been played; False if it was cut."""
        if self._task is not None:
            await asyncio.wait({self._task})
        if self._last is None:
            return True
        return await self._last.wait()
