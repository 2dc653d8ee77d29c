"""The pure endpointing decision of one listen step: voiced/unvoiced flags and durations in,
an event out. No clock, no audio, no I/O: the caller feeds `process(is_speech, ms)` once per
frame (20 ms usually) and acts on the returned event.

Times are milliseconds counted from the first `process` call of the segmenter (the sum of the
durations it was given). Model: Home Assistant's `VoiceCommandSegmenter.process`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SegmenterSettings:
    """Endpointing of one listen step (all durations in milliseconds)."""

    start_speech_ms: float = 120.0
    """Voiced run needed before the caller counts as speaking."""
    start_gap_ms: float = 60.0
    """Unvoiced time tolerated inside that run before it starts over (speech is not all voiced)."""
    end_silence_ms: float = 600.0
    """Trailing silence that ends the utterance (at most 600 ms by default for brisk turns)."""
    max_utterance_ms: float = 15_000.0
    """Longest utterance; it is cut (ended) when this is reached."""
    no_input_ms: float = 6_000.0
    """Silence before the step ends as no-input; 0 disables the timeout."""
    pre_roll_ms: float = 300.0
    """Audio kept before the detected start and decoded with it, so the first syllable is whole."""
    barge_in_ms: float = 300.0
    """Voiced run needed while a prompt plays before it is interrupted (a cough is shorter)."""

    def __post_init__(self) -> None:
        for name in ("start_speech_ms", "end_silence_ms", "max_utterance_ms", "barge_in_ms"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("start_gap_ms", "no_input_ms", "pre_roll_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")


class EndReason(enum.Enum):
    """Why an utterance ended."""

    SILENCE = "silence"
    MAX_LENGTH = "max_length"
    END_OF_AUDIO = "end_of_audio"
    """The audio stopped (the caller hung up); set by the listen loop, never by the segmenter."""


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """The caller started speaking; `start_ms` is where the voiced run began."""

    start_ms: float
    at_ms: float
    barge_in: bool = False
    """True when the speech started while a prompt was playing (the prompt must stop)."""


@dataclass(frozen=True, slots=True)
class SpeechEnded:
    """The utterance is over; `end_ms` is where its last voiced frame ended."""

    start_ms: float
    end_ms: float
    at_ms: float
    reason: EndReason


@dataclass(frozen=True, slots=True)
class NoInputTimeout:
    """No speech started within the no-input timeout."""

    at_ms: float


SegmentEvent = SpeechStarted | SpeechEnded | NoInputTimeout


class _State(enum.Enum):
    WAITING = "waiting"
    SPEAKING = "speaking"
    DONE = "done"


class Segmenter:
    """Endpointing state machine for one listen step (make a new one for the next step)."""

    def __init__(self, settings: SegmenterSettings | None = None) -> None:
        self.settings = settings or SegmenterSettings()
        self._state = _State.WAITING
        self._now = 0.0
        self._waited = 0.0  # silence counted towards no-input (not while a prompt plays)
        self._run = 0.0  # voiced time in the current candidate run
        self._run_start = 0.0
        self._gap = 0.0  # unvoiced time inside the candidate run
        self._start = 0.0
        self._last_voiced_end = 0.0
        self._trailing = 0.0

    @property
    def elapsed_ms(self) -> float:
        """Audio accounted for so far, milliseconds."""
        return self._now

    @property
    def speaking(self) -> bool:
        """Whether an utterance has started and not yet ended."""
        return self._state is _State.SPEAKING

    @property
    def trailing_ms(self) -> float:
        """Silence since the last voiced frame of the utterance under way (0 while voiced)."""
        return self._trailing if self._state is _State.SPEAKING else 0.0

    @property
    def done(self) -> bool:
        """Whether the step is over (utterance ended or no-input)."""
        return self._state is _State.DONE

    def process(
        self, is_speech: bool, ms: float, *, prompt_playing: bool = False
    ) -> SegmentEvent | None:
        """Account for `ms` milliseconds of audio; return the event it triggers, if any.

        While `prompt_playing`, speech must last `barge_in_ms` to count (a barge-in) and the
        no-input timeout does not run. After the step is done every call returns None.
        """
        if ms < 0:
            raise ValueError(f"duration must not be negative, got {ms}")
        if self._state is _State.DONE:
            return None
        start = self._now
        self._now += ms
        if self._state is _State.WAITING:
            return self._waiting(is_speech, start, ms, prompt_playing)
        return self._speaking(is_speech, ms)

    def _waiting(
        self, is_speech: bool, start: float, ms: float, prompt_playing: bool
    ) -> SegmentEvent | None:
        s = self.settings
        if is_speech:
            if self._run == 0.0:
                self._run_start = start
            self._run += ms
            self._gap = 0.0
            needed = s.barge_in_ms if prompt_playing else s.start_speech_ms
            if self._run >= needed:
                self._state = _State.SPEAKING
                self._start = self._run_start
                self._last_voiced_end = self._now
                return SpeechStarted(self._start, self._now, barge_in=prompt_playing)
            return None
        if self._run > 0.0:
            self._gap += ms
            if self._gap > s.start_gap_ms:
                self._run = self._gap = 0.0
        if not prompt_playing:
            self._waited += ms
            if s.no_input_ms and self._waited >= s.no_input_ms and self._run == 0.0:
                self._state = _State.DONE
                return NoInputTimeout(self._now)
        return None

    def _speaking(self, is_speech: bool, ms: float) -> SegmentEvent | None:
        s = self.settings
        if is_speech:
            self._trailing = 0.0
            self._last_voiced_end = self._now
        else:
            self._trailing += ms
        if self._trailing >= s.end_silence_ms:
            return self._end(EndReason.SILENCE)
        if self._now - self._start >= s.max_utterance_ms:
            return self._end(EndReason.MAX_LENGTH)
        return None

    def _end(self, reason: EndReason) -> SpeechEnded:
        self._state = _State.DONE
        return SpeechEnded(self._start, self._last_voiced_end, self._now, reason)
