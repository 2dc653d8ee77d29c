"""Speech recognition with Vosk: one shared model per process, one recognizer per call.

Audio in is mono 16-bit PCM `AudioFrame`s at the stream's rate (8 000 or 16 000 Hz from the
telephone); it is resampled to the model's rate (16 000 Hz for the French models) before
decoding. Word timings are seconds from the first sample of the utterance that reached the
recognizer; confidences are Vosk's word posteriors in [0, 1]. Decoding runs in a bounded
thread pool (`DecoderPool`), never on the event loop; a recognizer serialises its own decoder
calls with a lock, and the model is read-only and shared by all recognizers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import vosk

from speech.convert import Resampler
from speech.decoders import FREE_SPEECH, Decoder, DecoderShelf
from speech.errors import (
    AudioFormatError,
    GrammarNotSupported,
    ModelUnavailable,
    RecognitionFailed,
)
from speech.frames import AudioFrame
from speech.pool import DecoderPool

log = logging.getLogger(__name__)

__all__ = ["DecoderPool", "Recognition", "Recognizer", "SpeechModel", "Word"]

T = TypeVar("T")


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


class SpeechModel:
    """A loaded Vosk model, shared read-only by every recognizer of the process."""

    def __init__(self, model: Any, path: Path, sample_rate: int, dynamic_grammar: bool) -> None:
        self.vosk_model = model
        self.path = path
        self.sample_rate = sample_rate
        """Rate (Hz) the model decodes; input is resampled to it."""
        self.dynamic_grammar = dynamic_grammar
        """Whether the model can take a phrase-list grammar (it ships HCLr.fst and Gr.fst)."""
        self.decoders = DecoderShelf(self._new_decoder)
        """Warm decoders lent to recognizers one utterance at a time."""

    def _new_decoder(self, grammar: str) -> Any:
        args: list[Any] = [self.vosk_model, float(self.sample_rate)]
        if grammar != FREE_SPEECH:
            args.append(grammar)
        try:
            decoder = vosk.KaldiRecognizer(*args)
        except Exception as err:  # vosk raises a bare Exception on failure
            raise RecognitionFailed(f"Vosk could not create a recognizer: {err}") from err
        decoder.SetWords(True)
        return decoder

    @classmethod
    def load(cls, path: str | Path) -> SpeechModel:
        """Load the model folder at `path`; raises `ModelUnavailable` with the reason."""
        folder = Path(path).expanduser()
        if not folder.is_dir():
            raise ModelUnavailable(f"no Vosk model folder at {folder}")
        if not (folder / "am").is_dir() and not (folder / "final.mdl").exists():
            raise ModelUnavailable(f"{folder} is not a Vosk model (no am/ folder)")
        vosk.SetLogLevel(-1)
        try:
            model = vosk.Model(str(folder))
        except Exception as err:  # vosk raises a bare Exception("Failed to create a model")
            raise ModelUnavailable(f"Vosk could not load the model in {folder}: {err}") from err
        graph = folder / "graph"
        dynamic = (graph / "HCLr.fst").exists() and (graph / "Gr.fst").exists()
        return cls(model, folder, _model_rate(folder), dynamic)

    def knows(self, word: str) -> bool:
        """Whether `word` is in the model's vocabulary."""
        return int(self.vosk_model.vosk_model_find_word(word)) >= 0

    def spell(self, phrase: str) -> list[str] | None:
        """`phrase` as words of the model's vocabulary, or None when some word is not in it.

        A word the model lacks is tried split at its elision or hyphens, as models spell them
        differently: "d'identité" as "d'" + "identité", "rendez-vous" as "rendez" + "vous".
        """
        words: list[str] = []
        for word in phrase.lower().replace("’", "'").split():
            if self.knows(word):
                words.append(word)
                continue
            parts = [p for p in re.split(r"(?<=')|-", word) if p]
            if len(parts) < 2 or not all(self.knows(part) for part in parts):
                return None
            words.extend(parts)
        return words

    def grammar(self, phrases: Sequence[str]) -> str:
        """The Vosk grammar (JSON list) for `phrases`, keeping only phrases the model can say.

        Raises `GrammarNotSupported` when the model has no runtime graph or no phrase is usable.
        """
        if not self.dynamic_grammar:
            raise GrammarNotSupported(
                f"the model in {self.path} has a static graph and cannot take a phrase list; "
                "use a small model (with graph/HCLr.fst) or listen without hints"
            )
        kept: list[str] = []
        for phrase in phrases:
            words = self.spell(phrase)
            if words is None:
                log.warning("grammar phrase %r has words outside the model's vocabulary", phrase)
            elif words:
                kept.append(" ".join(words))
        if not kept:
            raise GrammarNotSupported(
                f"none of the phrases {list(phrases)!r} is in the model's vocabulary",
                code="grammar_empty",
            )
        if self.knows("[unk]"):
            kept.append("[unk]")
        return json.dumps(kept, ensure_ascii=False)


def _model_rate(folder: Path) -> int:
    conf = folder / "conf" / "mfcc.conf"
    if conf.exists():
        found = re.search(r"--sample-frequency=(\d+)", conf.read_text(encoding="utf-8"))
        if found:
            return int(found.group(1))
    return 16000


class Recognizer:
    """Streams a call's utterances through Vosk: partials out, then a final per utterance.

    Keep one recognizer per call and change its grammar between listen steps. Each utterance
    is decoded by a warm Vosk decoder borrowed from the model's `DecoderShelf` and returned
    with its final result (see `speech.decoders`: a fresh decoder's first utterance costs
    about three times the CPU, and each decoder holds tens of MB).
    """

    def __init__(
        self,
        model: SpeechModel,
        pool: DecoderPool | None = None,
        *,
        input_rate: int = 8000,
        grammar: Sequence[str] | None = None,
    ) -> None:
        self.model = model
        self.input_rate = input_rate
        self._pool = pool
        self._lock = threading.Lock()
        self._grammar = FREE_SPEECH if grammar is None else model.grammar(grammar)
        """The grammar of the next utterance (JSON list; `FREE_SPEECH`: the whole language)."""
        model.decoders.give_back(model.decoders.take(self._grammar))  # fails here, not later
        self._decoder: Decoder | None = None
        """The decoder lent for the utterance under way."""
        self._resampler = Resampler(input_rate, model.sample_rate)
        self._segments: list[dict[str, Any]] = []
        self._in_utterance = False
        self._utterance_start_ms = 0.0
        self.decoded_ms = 0.0
        """Audio given to the decoder so far, in milliseconds (silence skipped upstream is not)."""

    @classmethod
    async def create(
        cls,
        model: SpeechModel,
        pool: DecoderPool,
        *,
        input_rate: int = 8000,
        grammar: Sequence[str] | None = None,
    ) -> Recognizer:
        """Build a recognizer in the pool (it takes tens of milliseconds with a large graph)."""
        return await pool.run(lambda: cls(model, pool, input_rate=input_rate, grammar=grammar))

    @property
    def in_utterance(self) -> bool:
        """Whether audio was accepted since the last `finish` or `reset`."""
        return self._in_utterance

    async def accept(self, frame: AudioFrame) -> str:
        """Decode a frame in the pool; return the partial text so far."""
        return await self._run(self.accept_blocking, frame)

    async def finish(self) -> Recognition:
        """End the utterance in the pool and return its final result (the recognizer resets)."""
        return await self._run(self.finish_blocking)

    def accept_blocking(self, frame: AudioFrame) -> str:
        """`accept` for callers already off the event loop (benchmarks, evaluation, threads)."""
        if frame.rate != self.input_rate or frame.channels != 1:
            raise AudioFormatError(
                f"recognizer expects mono {self.input_rate} Hz audio, "
                f"got {frame.channels} channel(s) at {frame.rate} Hz"
            )
        with self._lock:
            decoder = self._decoder
            if decoder is None:
                decoder = self._decoder = self.model.decoders.take(self._grammar)
                self._in_utterance = True
                self._utterance_start_ms = decoder.decoded_ms
            self.decoded_ms += frame.duration_ms
            decoder.decoded_ms += frame.duration_ms
            self._feed(decoder, self._resampler.process(frame).pcm)
            partial = str(json.loads(decoder.vosk.PartialResult()).get("partial", ""))
            words = " ".join([*self._texts(), partial]).split()
            return " ".join(w for w in words if w != "[unk]")

    def finish_blocking(self) -> Recognition:
        """`finish` for callers already off the event loop."""
        with self._lock:
            decoder = self._decoder
            segments, self._segments = self._segments, []
            if decoder is not None:
                self._feed(decoder, self._resampler.flush().pcm, segments)
                segments.append(json.loads(decoder.vosk.FinalResult()))
                self._decoder = None
                self.model.decoders.give_back(decoder)
            self._in_utterance = False
            self._resampler = Resampler(self.input_rate, self.model.sample_rate)
        offset = self._utterance_start_ms / 1000.0  # Vosk counts time over the whole stream
        words = tuple(
            Word(
                str(w["word"]),
                max(0.0, float(w["start"]) - offset),
                max(0.0, float(w["end"]) - offset),
                float(w["conf"]),
            )
            for seg in segments
            for w in seg.get("result", [])
            if w.get("word") != "[unk]"
        )
        text = " ".join(w.word for w in words)
        confidence = sum(w.conf for w in words) / len(words) if words else 0.0
        return Recognition(text, confidence, words)

    async def set_grammar(self, phrases: Sequence[str] | None) -> None:
        """Restrict the next utterance to `phrases` (None: free speech), in the pool."""
        await self._run(self.set_grammar_blocking, phrases)

    async def reset(self) -> None:
        """Drop the utterance under way (a listen step that was abandoned), in the pool."""
        await self._run(self.reset_blocking)

    def reset_blocking(self) -> None:
        """`reset` for callers already off the event loop."""
        with self._lock:
            decoder, self._decoder = self._decoder, None
            if decoder is not None:
                decoder.vosk.FinalResult()  # Vosk's Reset() keeps the audio buffered so far
                self.model.decoders.give_back(decoder)
            self._segments = []
            self._in_utterance = False
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

    async def _run(self, func: Callable[..., T], *args: Any) -> T:
        if self._pool is None:
            return await asyncio.to_thread(func, *args)
        return await self._pool.run(func, *args)

    def _feed(self, decoder: Decoder, pcm: bytes,
              segments: list[dict[str, Any]] | None = None) -> None:
        if pcm and decoder.vosk.AcceptWaveform(pcm):
            # Vosk found an endpoint of its own: keep that segment, decoding goes on.
            (self._segments if segments is None else segments).append(
                json.loads(decoder.vosk.Result()))

    def _texts(self) -> list[str]:
        return [str(seg.get("text", "")) for seg in self._segments]
