"""Speech recognition with Vosk: one shared model per process, one recognizer per call.

Audio in is mono 16-bit PCM `AudioFrame`s at the stream's rate (8 000 or 16 000 Hz from the
telephone); it is resampled to the model's rate (16 000 Hz for the French models) before
decoding. Word timings are seconds from the first sample of the utterance that reached the
recognizer; confidences are Vosk's word posteriors in [0, 1]. Decoding runs in a bounded
thread pool (`DecoderPool`), never on the event loop; a recognizer serialises its own decoder
calls with a lock, and the model is read-only and shared by all recognizers.

A call's listen step streams with `push` (never waits: the audio is decoded in the background
as fast as the pool allows, several frames per decoder call when it lags), may `cut` the
utterance at a pause (its words so far are decoded to the end and its decoder goes back to
the shelf while the caller is silent), then awaits `finish`. `accept` decodes one frame and
returns the partial text, for callers that want to wait.

With a grammar (a phrase list), the utterance's audio is also kept (at most `keep_ms`); when
the grammar could not cover what was said (no words, mostly `[unk]`, or a mean confidence
below `redecode_below`) the kept audio is decoded again with the free language model, and the
`Recognition` says which pass produced it (`source`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from speech.convert import Resampler, concat
from speech.decoders import FREE_SPEECH, Decoder
from speech.errors import AudioFormatError, RecognitionFailed, SpeechError
from speech.frames import AudioFrame
from speech.pool import DecoderPool
from speech.vosk_model import SpeechModel

log = logging.getLogger(__name__)

__all__ = ["DecoderPool", "Recognition", "Recognizer", "SpeechModel", "Word"]

T = TypeVar("T")
Source = Literal["grammar", "free", "free_after_grammar"]
"""Which pass produced a recognition: the step's grammar, free speech, or free speech again
on the audio the grammar could not cover."""
UNKNOWN = "[unk]"
KEEP_MS = 15_000.0
"""Default audio kept per grammar utterance for a free re-decode, milliseconds."""
REDECODE_BELOW = 0.5
"""Default mean word confidence under which a grammar result is decoded again freely."""
_CUT = "cut"
"""Queued after audio: end the segment decoded so far and give its decoder back."""


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word with its timing (seconds) and confidence (0 to 1)."""

    word: str
    start: float
    end: float
    conf: float


@dataclass(frozen=True, slots=True)
class Recognition:
    """The final result of an utterance; empty text when nothing was recognised."""

    text: str
    confidence: float
    """Mean word confidence (0 to 1); 0 when there are no words."""
    words: tuple[Word, ...] = ()
    source: Source = "free"
    """The decoding pass whose words these are."""
    unknown: int = 0
    """`[unk]` words (outside the grammar) the pass found; they are not in `words`."""


class Recognizer:
    """Streams a call's utterances through Vosk: partials out, then a final per utterance.

    Keep one recognizer per call and change its grammar between listen steps; `close` it when
    the call ends. Each utterance (or each segment of it, between pauses that were `cut`) is
    decoded by a warm Vosk decoder borrowed from the model's `DecoderShelf` and returned with
    its final result (see `speech.decoders`: a fresh decoder's first utterance costs several
    times the CPU, and each decoder holds tens of MB).
    """

    def __init__(
        self,
        model: SpeechModel,
        pool: DecoderPool | None = None,
        *,
        input_rate: int = 8000,
        grammar: Sequence[str] | None = None,
        redecode_below: float = REDECODE_BELOW,
        keep_ms: float = KEEP_MS,
    ) -> None:
        self.model = model
        self.input_rate = input_rate
        self._pool = pool
        self._lock = threading.Lock()
        self.redecode_below = redecode_below
        """A grammar result with a lower mean word confidence is decoded again freely (0-1;
        0: only empty or mostly `[unk]` results are)."""
        self._keep_bytes = int(input_rate * 2 * keep_ms / 1000)
        self._kept = bytearray()
        """The grammar utterance's audio so far (input rate, pauses as zeros), for a re-decode."""
        self.redecodes = 0
        """Grammar utterances decoded again with free speech."""
        self._grammar = FREE_SPEECH if grammar is None else model.grammar(grammar)
        """The grammar of the next utterance (JSON list; `FREE_SPEECH`: the whole language)."""
        model.decoders.give_back(model.decoders.take(self._grammar))  # fails here, not later
        self._decoder: Decoder | None = None
        """The decoder lent for the segment under way."""
        self._shift_ms = 0.0
        """Utterance time minus the lent decoder's own time (Vosk counts from its first sample)."""
        self._resampler = Resampler(input_rate, model.sample_rate)
        self._segments: list[tuple[float, dict[str, Any]]] = []
        """Results of the utterance's finished segments, each with its `_shift_ms`."""
        self._in_utterance = False
        self._utterance_ms = 0.0
        """Audio of the utterance so far, decoded or skipped, milliseconds."""
        self.decoded_ms = 0.0
        """Audio given to the decoder so far, in milliseconds (silence skipped upstream is not)."""
        self._queue: deque[AudioFrame | float | str] = deque()
        """Streamed work not yet done, in order: audio, skipped milliseconds, `_CUT`."""
        self._feeder: asyncio.Task[None] | None = None
        self._failure: SpeechError | None = None
        self.partial = ""
        """The streamed utterance's text so far (empty until some audio was decoded)."""

    @classmethod
    async def create(
        cls,
        model: SpeechModel,
        pool: DecoderPool,
        *,
        input_rate: int = 8000,
        grammar: Sequence[str] | None = None,
        redecode_below: float = REDECODE_BELOW,
        keep_ms: float = KEEP_MS,
    ) -> Recognizer:
        """Build a recognizer in the pool (it takes tens of milliseconds with a large graph)."""
        return await pool.run(lambda: cls(model, pool, input_rate=input_rate, grammar=grammar,
                                          redecode_below=redecode_below, keep_ms=keep_ms))

    @property
    def in_utterance(self) -> bool:
        """Whether audio was accepted since the last `finish` or `reset`."""
        return self._in_utterance

    # -- streaming (event loop) ---------------------------------------------------------

    def push(self, frame: AudioFrame) -> None:
        """Stream audio of the utterance under way; it is decoded in the background."""
        self._check(frame)
        self._in_utterance = True
        self._enqueue(frame)

    def skip(self, ms: float) -> None:
        """Audio of the utterance that is not decoded (a pause): word times after it stay
        true."""
        if self._in_utterance:
            self._enqueue(float(ms))

    def cut(self) -> None:
        """The caller paused: decode the segment streamed so far to its end and give its
        decoder back; audio pushed later starts a new segment of the same utterance."""
        if self._in_utterance:
            self._enqueue(_CUT)

    async def accept(self, frame: AudioFrame) -> str:
        """Decode a frame in the pool; return the partial text so far."""
        await self._settle()
        return await self._run(self.accept_blocking, frame)

    async def finish(self) -> Recognition:
        """End the utterance in the pool and return its final result (the recognizer resets);
        a grammar result that does not cover the utterance is decoded again freely."""
        await self._settle()
        failure, self._failure = self._failure, None
        if failure is not None:
            await self._run(self.reset_blocking)
            raise failure
        with self._lock:
            kept, self._kept = bytes(self._kept), bytearray()
        recognition = await self._run(self.finish_blocking)
        if not kept or not self.needs_free_pass(recognition):
            return recognition
        decoder = await self.model.decoders.borrow(FREE_SPEECH)
        try:
            free = await self._run(self._decode_again, decoder, kept)
        finally:
            self.model.decoders.give_back(decoder)
        self.redecodes += 1
        return free if free.words or not recognition.words else recognition

    def needs_free_pass(self, recognition: Recognition) -> bool:
        """Whether a grammar result leaves the utterance uncovered: no words, as many
        `[unk]` as words or more, or a mean confidence under `redecode_below`."""
        if recognition.source != "grammar":
            return False
        words = len(recognition.words)
        return (not words or recognition.unknown >= words
                or recognition.confidence < self.redecode_below)

    async def set_grammar(self, phrases: Sequence[str] | None) -> None:
        """Restrict the next utterance to `phrases` (None: free speech), in the pool."""
        await self._run(self.set_grammar_blocking, phrases)

    async def reset(self) -> None:
        """Drop the utterance under way (a listen step that was abandoned), in the pool."""
        await self._stop_feeder()
        await self._run(self.reset_blocking)

    async def close(self) -> None:
        """The call is over: give back any decoder still lent (also when cancelled)."""
        await self._stop_feeder()
        self._queue.clear()
        await asyncio.shield(self._run(self.reset_blocking))

    def _enqueue(self, item: AudioFrame | float | str) -> None:
        self._queue.append(item)
        if self._feeder is None or self._feeder.done():
            self._feeder = asyncio.get_running_loop().create_task(self._feed_queue())

    async def _feed_queue(self) -> None:
        """Work through the queue: consecutive audio in one decoder call, borrowing a decoder
        (waiting for one when all are lent) before the first audio of a segment."""
        try:
            while self._queue:
                item = self._queue.popleft()
                if isinstance(item, float):
                    with self._lock:
                        self._utterance_ms += item
                        if self._grammar != FREE_SPEECH:
                            self._keep(bytes(int(self.input_rate * item / 1000) * 2))
                elif isinstance(item, str):
                    await self._run(self.cut_blocking)
                else:
                    frames = [item]
                    while self._queue and isinstance(head := self._queue[0], AudioFrame):
                        self._queue.popleft()
                        frames.append(head)
                    if self._decoder is None:
                        self._attach(await self.model.decoders.borrow(self._grammar))
                    self.partial = await self._run(self.accept_blocking, concat(frames))
        except SpeechError as err:
            self._failure = err
            self._queue.clear()
        except Exception as err:  # what Vosk raises: the call goes on with the keypad
            self._failure = RecognitionFailed(f"decoding failed: {err}")
            self._queue.clear()

    async def _settle(self) -> None:
        """Wait until the streamed work is done."""
        feeder = self._feeder
        if feeder is not None and not feeder.done():
            await asyncio.shield(feeder)

    async def _stop_feeder(self) -> None:
        self._queue.clear()
        self._failure = None
        feeder, self._feeder = self._feeder, None
        if feeder is not None and not feeder.done():
            feeder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await feeder

    async def _run(self, func: Callable[..., T], *args: Any) -> T:
        if self._pool is None:
            return await asyncio.to_thread(func, *args)
        return await self._pool.run(func, *args)

    # -- blocking (decoder threads) -----------------------------------------------------

    def accept_blocking(self, frame: AudioFrame) -> str:
        """`accept` for callers already off the event loop (benchmarks, evaluation, threads)."""
        self._check(frame)
        with self._lock:
            decoder = self._decoder
            if decoder is None:
                decoder = self.model.decoders.take(self._grammar)
                self._attach_locked(decoder)
            self._in_utterance = True
            self.decoded_ms += frame.duration_ms
            self._utterance_ms += frame.duration_ms
            decoder.decoded_ms += frame.duration_ms
            if self._grammar != FREE_SPEECH:
                self._keep(frame.pcm)
            self._feed(decoder, self._resampler.process(frame).pcm)
            partial = str(json.loads(decoder.vosk.PartialResult()).get("partial", ""))
            words = " ".join([*self._texts(), partial]).split()
            return " ".join(w for w in words if w != "[unk]")

    def cut_blocking(self) -> None:
        """`cut` for callers already off the event loop."""
        with self._lock:
            self._end_segment(self._segments)

    def finish_blocking(self) -> Recognition:
        """`finish` for callers already off the event loop."""
        with self._lock:
            segments, self._segments = self._segments, []
            self._end_segment(segments)
            self._in_utterance = False
            self._utterance_ms = 0.0
            self.partial = ""
            source: Source = "free" if self._grammar == FREE_SPEECH else "grammar"
        return _recognition(segments, source)

    def _decode_again(self, decoder: Decoder, pcm: bytes) -> Recognition:
        """Decode a kept utterance (input-rate PCM) with a free-speech `decoder`."""
        resampler = Resampler(self.input_rate, self.model.sample_rate)
        audio = resampler.process(AudioFrame(pcm, self.input_rate)).pcm
        audio += resampler.flush().pcm
        step = self.model.sample_rate // 5 * 2  # 200 ms of 16-bit samples
        segments: list[tuple[float, dict[str, Any]]] = []
        for start in range(0, len(audio), step):
            if decoder.vosk.AcceptWaveform(audio[start:start + step]):
                segments.append((-decoder.decoded_ms, json.loads(decoder.vosk.Result())))
        segments.append((-decoder.decoded_ms, json.loads(decoder.vosk.FinalResult())))
        decoder.decoded_ms += len(pcm) / 2 / self.input_rate * 1000
        return _recognition(segments, "free_after_grammar")

    def reset_blocking(self) -> None:
        """`reset` for callers already off the event loop."""
        with self._lock:
            decoder, self._decoder = self._decoder, None
            if decoder is not None:
                decoder.vosk.FinalResult()  # Vosk's Reset() keeps the audio buffered so far
                self.model.decoders.give_back(decoder)
            self._segments = []
            self._kept = bytearray()
            self._in_utterance = False
            self._utterance_ms = 0.0
            self.partial = ""
            self._resampler = Resampler(self.input_rate, self.model.sample_rate)

    def set_grammar_blocking(self, phrases: Sequence[str] | None) -> None:
        """`set_grammar` for callers already off the event loop; between utterances only.

        Raises `GrammarNotSupported` as `SpeechModel.grammar` does, and `RecognitionFailed`
        in the middle of an utterance.
        """
        if phrases is None:
            grammar = FREE_SPEECH
            if not self.model.dynamic_grammar:
                return
        else:
            grammar = self.model.grammar(phrases)
        with self._lock:
            if self._in_utterance:
                raise RecognitionFailed(
                    "cannot change the grammar in the middle of an utterance: finish() it first",
                    code="grammar_mid_utterance",
                )
            self._grammar = grammar  # the next utterance borrows a decoder made for it

    def _keep(self, pcm: bytes) -> None:
        room = self._keep_bytes - len(self._kept)
        if room > 0:
            self._kept += pcm[:room]

    def _attach(self, decoder: Decoder) -> None:
        with self._lock:
            self._attach_locked(decoder)

    def _attach_locked(self, decoder: Decoder) -> None:
        self._decoder = decoder
        self._shift_ms = self._utterance_ms - decoder.decoded_ms

    def _end_segment(self, segments: list[tuple[float, dict[str, Any]]]) -> None:
        """Decode the lent decoder's audio to the end into `segments`; give it back."""
        decoder = self._decoder
        if decoder is None:
            return
        self._feed(decoder, self._resampler.flush().pcm, segments)
        segments.append((self._shift_ms, json.loads(decoder.vosk.FinalResult())))
        self._decoder = None
        self.model.decoders.give_back(decoder)
        self._resampler = Resampler(self.input_rate, self.model.sample_rate)

    def _check(self, frame: AudioFrame) -> None:
        if frame.rate != self.input_rate or frame.channels != 1:
            raise AudioFormatError(
                f"recognizer expects mono {self.input_rate} Hz audio, "
                f"got {frame.channels} channel(s) at {frame.rate} Hz"
            )

    def _feed(self, decoder: Decoder, pcm: bytes,
              segments: list[tuple[float, dict[str, Any]]] | None = None) -> None:
        if pcm and decoder.vosk.AcceptWaveform(pcm):
            # Vosk found an endpoint of its own: keep that segment, decoding goes on.
            (self._segments if segments is None else segments).append(
                (self._shift_ms, json.loads(decoder.vosk.Result())))

    def _texts(self) -> list[str]:
        return [str(seg.get("text", "")) for _, seg in self._segments]


def _recognition(segments: list[tuple[float, dict[str, Any]]], source: Source) -> Recognition:
    """The words of decoded segments (each with its shift, ms), `[unk]` counted and left out."""
    found = [(shift_ms, w) for shift_ms, seg in segments for w in seg.get("result", [])]
    words = tuple(
        Word(
            str(w["word"]),
            max(0.0, float(w["start"]) + shift_ms / 1000),
            max(0.0, float(w["end"]) + shift_ms / 1000),
            float(w["conf"]),
        )
        for shift_ms, w in found
        if w.get("word") != UNKNOWN
    )
    text = " ".join(w.word for w in words)
    confidence = sum(w.conf for w in words) / len(words) if words else 0.0
    return Recognition(text, confidence, words, source, len(found) - len(words))
