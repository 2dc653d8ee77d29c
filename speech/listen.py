"""One listen step as an async stream of events: audio frames in, caller events out.

Frames are mono 16-bit PCM at 8 000 or 16 000 Hz, any length (AudioSocket sends 20 ms). Each
20 ms piece goes through webrtcvad and the pure `Segmenter`; only speech (with its pre-roll
and the first `CUT_AFTER_MS` of each pause) reaches the recognizer, so silence costs no
decoding.
Times are milliseconds from the first frame of the step.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Callable
from dataclasses import dataclass

from speech.convert import Rechunker, concat
from speech.errors import AudioFormatError
from speech.frames import AudioFrame
from speech.recognizer import Recognition, Recognizer
from speech.vad import (
    EndReason,
    NoInputTimeout,
    Segmenter,
    SegmenterSettings,
    SpeechEnded,
    SpeechStarted,
)
from speech.voice import VoiceDetector

FRAME_MS = 20
"""Length of the pieces judged by the voice detector, milliseconds."""
CUT_AFTER_MS = 300.0
"""A pause this long (milliseconds) cuts the utterance: what was said is decoded to the end."""
RESUME_PIECES = 5
"""Pieces of a pause kept to decode before the caller's next words (100 ms: their onset)."""


@dataclass(frozen=True, slots=True)
class Started:
    """The caller started speaking at `start_ms`; with `barge_in` the prompt must stop now."""

    start_ms: float
    barge_in: bool = False


@dataclass(frozen=True, slots=True)
class Partial:
    """What the recognizer has understood so far (changes as the caller speaks)."""

    text: str


@dataclass(frozen=True, slots=True)
class Final:
    """The utterance is over: its recognition and where it lay in the step (milliseconds)."""

    recognition: Recognition
    start_ms: float
    end_ms: float
    reason: EndReason


@dataclass(frozen=True, slots=True)
class NoInput:
    """The caller said nothing before the step's no-input timeout."""

    at_ms: float


ListenEvent = Started | Partial | Final | NoInput


def _never() -> bool:
    return False


async def listen(
    frames: AsyncIterable[AudioFrame],
    recognizer: Recognizer,
    detector: VoiceDetector,
    settings: SegmenterSettings | None = None,
    prompt_playing: Callable[[], bool] = _never,
    cut_after_ms: float = CUT_AFTER_MS,
) -> AsyncIterator[ListenEvent]:
    """Turn one listen step's audio into events; ends after `Final` or `NoInput`.

    `prompt_playing()` is asked for every 20 ms piece: while it is true, speech must last the
    barge-in run to count, and the no-input timeout waits. If the audio stops mid-utterance,
    the words so far still come out as a `Final` (reason END_OF_AUDIO). Use one recognizer
    for the whole call (set its grammar per step); an utterance a previous step left
    unfinished is dropped first.

    Decoding never holds up the segmenter: audio is streamed to the recognizer, and a pause
    longer than `cut_after_ms` cuts the utterance there (its words are decoded to the end
    while the caller is silent, and its decoder serves other calls) so that the final result
    is ready, or nearly, when the end-of-turn silence has run.
    """
    settings = settings or SegmenterSettings()
    if recognizer.in_utterance:  # left over from a step that was abandoned mid-utterance
        await recognizer.reset()
    segmenter = Segmenter(settings)
    rechunker = Rechunker(FRAME_MS)
    held_ms = settings.pre_roll_ms + max(settings.start_speech_ms, settings.barge_in_ms)
    pre_roll: deque[AudioFrame] = deque(maxlen=int(held_ms + settings.start_gap_ms) // FRAME_MS)
    paused: deque[AudioFrame] = deque()
    """The last pieces of a pause after a cut: decoded first if the caller speaks again."""
    partial = ""
    start_ms = 0.0
    async for frame in frames:
        if frame.rate != recognizer.input_rate or frame.channels != 1:
            raise AudioFormatError(
                f"listen step expects mono {recognizer.input_rate} Hz audio, "
                f"got {frame.channels} channel(s) at {frame.rate} Hz"
            )
        for piece in rechunker.push(frame):
            event = segmenter.process(
                detector.is_speech(piece), FRAME_MS, prompt_playing=prompt_playing()
            )
            if not segmenter.speaking and event is None:
                pre_roll.append(piece)
                continue
            if isinstance(event, NoInputTimeout):
                yield NoInput(event.at_ms)
                return
            if isinstance(event, SpeechStarted):
                start_ms = event.start_ms
                yield Started(event.start_ms, event.barge_in)
                pre_roll.append(piece)
                recognizer.push(concat(pre_roll))  # one decoder call, not 30
                pre_roll.clear()
            elif segmenter.trailing_ms <= cut_after_ms:
                for held in paused:
                    recognizer.push(held)
                paused.clear()
                recognizer.push(piece)
            else:  # deep in a pause: cut once, keep the pause's last pieces
                if not paused:
                    recognizer.cut()
                paused.append(piece)
                if len(paused) > RESUME_PIECES:
                    recognizer.skip(paused.popleft().duration_ms)
            if isinstance(event, SpeechEnded):
                recognition = await recognizer.finish()
                yield Final(recognition, event.start_ms, event.end_ms, event.reason)
                return
            if recognizer.partial and recognizer.partial != partial:
                partial = recognizer.partial
                yield Partial(partial)
    if segmenter.speaking:
        recognition = await recognizer.finish()
        yield Final(recognition, start_ms, segmenter.elapsed_ms, EndReason.END_OF_AUDIO)
