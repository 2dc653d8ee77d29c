"""One caller turn: speech (gated by the VAD, partial results streamed) and keypad digits
raced against each other, with barge-in on the prompt being played.

The turn ends at the listen step's trailing silence (`Listen.end_silence_ms`), sooner when
the partial result is already a complete answer and has settled (`SettleTimer`), at the
no-input timeout (`Listen.no_input_ms`, counted once the prompt has finished), or at the
first digit (then digits are collected until '#', `max_digits`, or `digit_timeout_s`).
Speech lasting `barge_in_ms` while a prompt plays stops it (the paced output is flushed at
once); shorter noises do not. Times: milliseconds of audio, seconds of the monotonic clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from dialogs.events import CallerInput, Digits, Listen, NoInput, Utterance
from ivr.config.sections import SessionSection
from ivr.session.line import CallerLine, LineEnded
from ivr.session.speaker import Speaker
from ivr.session.turns import SettleTimer, digits_done
from speech.frames import AudioFrame
from speech.listen import Final, Partial, Started, listen
from speech.listen import NoInput as HeardNothing
from speech.recognizer import Recognizer
from speech.vad import SegmenterSettings
from speech.voice import VoiceDetector

POLL_S = 0.05


@dataclass(frozen=True, slots=True)
class TurnResult:
    """What the caller did, and when their turn ended (monotonic seconds)."""

    caller: CallerInput
    ended_at: float
    barged_in: bool = False


@dataclass(slots=True)
class Listener:
    """Takes the caller's turns on one call."""

    line: CallerLine
    speaker: Speaker
    settings: SessionSection
    detector: VoiceDetector
    call_started: float
    """Monotonic time the call started (utterance times are counted from it)."""
    recognition_s: list[float] = field(default_factory=list)
    """Seconds each final result took once the last audio of the utterance was given."""
    sources: list[str] = field(default_factory=list)
    """The decoding pass of each final result (`speech.recognizer.Source`)."""

    async def turn(
        self, step: Listen, recognizer: Recognizer | None, complete: Callable[[str], bool]
    ) -> TurnResult:
        """The caller's answer to `step`; `LineEnded` when they hang up. Without a recognizer
        only keypad digits are taken."""
        if not self.speaker.interruptible:
            await self.speaker.wait()
            self.line.drain_audio()
        if recognizer is None:
            return await self._keypad(step)
        return await self._speech(step, recognizer, complete)

    async def _speech(
        self, step: Listen, recognizer: Recognizer, complete: Callable[[str], bool]
    ) -> TurnResult:
        s = self.settings
        segmenter = SegmenterSettings(
            start_speech_ms=s.start_speech_ms, end_silence_ms=step.end_silence_ms,
            max_utterance_ms=s.max_utterance_ms, no_input_ms=step.no_input_ms,
            barge_in_ms=s.barge_in_ms,
        )
        timer = SettleTimer(s.settle_ms)
        digits: list[str] = []
        barged = False
        last_frame = time.monotonic()

        async def frames() -> AsyncIterator[AudioFrame]:
            nonlocal last_frame
            async for frame in self.line.audio_until_digit(digits):
                last_frame = time.monotonic()
                yield frame
                if timer.advance(frame.duration_ms):
                    return

        async for event in listen(frames(), recognizer, self.detector, segmenter,
                                  lambda: self.speaker.playing):
            if isinstance(event, Started) and event.barge_in:
                self.speaker.stop()
                barged = True
            elif isinstance(event, Partial):
                timer.partial(complete(event.text))
            elif isinstance(event, Final) and not digits:
                recognition = event.recognition
                now = time.monotonic()
                self.recognition_s.append(now - last_frame)  # the final result's wait
                self.sources.append(recognition.source)
                start_s = now - self.call_started - (event.end_ms - event.start_ms) / 1000
                utterance = Utterance(recognition.text, recognition.confidence,
                                      max(0.0, start_s), now - self.call_started)
                return TurnResult(utterance, now, barged)
            elif isinstance(event, HeardNothing):
                return TurnResult(NoInput(), time.monotonic(), barged)
        if digits:
            return await self._digits("".join(digits), step)
        raise LineEnded(f"the line ended ({self.line.ended})")

    async def _keypad(self, step: Listen) -> TurnResult:
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        while True:
            if deadline is None and not self.speaker.playing:
                deadline = loop.time() + step.no_input_ms / 1000
            wait = POLL_S if deadline is None else max(0.0, deadline - loop.time())
            item = await self.line.next(wait)
            if isinstance(item, str):
                return await self._digits(item, step)
            if deadline is not None and loop.time() >= deadline:
                return TurnResult(NoInput(), time.monotonic())

    async def _digits(self, first: str, step: Listen) -> TurnResult:
        """Digits interrupt the prompt; more are awaited until the answer is whole. The
        step's code key ('*') waits `code_wait_ms` for a second key ('*1'), else goes alone."""
        self.speaker.stop()
        loop = asyncio.get_running_loop()
        text = first
        if step.code_key is not None and first == step.code_key:
            deadline = loop.time() + step.code_wait_ms / 1000
            while len(text) < 2 and loop.time() < deadline:
                try:
                    item = await self.line.next(deadline - loop.time())
                except LineEnded:
                    break
                if isinstance(item, str):
                    text += item
            return TurnResult(Digits(text), time.monotonic(), barged_in=True)
        deadline = loop.time() + self.settings.digit_timeout_s
        while not digits_done(text, step.max_digits) and loop.time() < deadline:
            try:
                item = await self.line.next(deadline - loop.time())
            except LineEnded:
                break
            if isinstance(item, str):
                text += item
                deadline = loop.time() + self.settings.digit_timeout_s
        return TurnResult(Digits(text), time.monotonic(), barged_in=True)
