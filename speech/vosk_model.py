"""A loaded Vosk model, shared read-only by every call of the process, with the decoders it
lends (`speech.decoders`): vocabulary checks and phrase-list grammars (JSON lists of phrases).
Rates are Hz."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import vosk

from speech.convert import resample
from speech.decoders import FREE_SPEECH, Decoder, DecoderShelf
from speech.errors import GrammarNotSupported, ModelUnavailable, RecognitionFailed
from speech.frames import AudioFrame

log = logging.getLogger(__name__)


GRAMMARS_KEPT = 256
"""Most grammars a model keeps spelt (a flow has tens of listen steps)."""


class SpeechModel:
    """A loaded Vosk model, shared read-only by every recognizer of the process."""

    def __init__(self, model: Any, path: Path, sample_rate: int, dynamic_grammar: bool,
                 decoder_limit: int | None = None) -> None:
        self.vosk_model = model
        self.path = path
        self.sample_rate = sample_rate
        """Rate (Hz) the model decodes; input is resampled to it."""
        self.dynamic_grammar = dynamic_grammar
        """Whether the model can take a phrase-list grammar (it ships HCLr.fst and Gr.fst)."""
        self.decoders = DecoderShelf(self._new_decoder, limit=decoder_limit)
        """Warm decoders lent to recognizers one utterance at a time."""
        self._static_logged = False
        self._grammars: dict[tuple[str, ...], str] = {}
        """Grammars built so far, by their phrases: every call at a step asks for the same."""
        self._grammars_lock = threading.Lock()

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
    def load(cls, path: str | Path, decoder_limit: int | None = None) -> SpeechModel:
        """Load the model folder at `path`; raises `ModelUnavailable` with the reason.
        `decoder_limit`: most decoders lent at once to calls (None: no limit)."""
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
        return cls(model, folder, _model_rate(folder), dynamic, decoder_limit)

    def warm(self, audio: AudioFrame, count: int, stop: threading.Event | None = None) -> int:
        """Build up to `count` free-speech decoders, each decoding `audio` (mono, any rate)
        once, and put them on the shelf for the first calls; how many were added (fewer when
        the shelf is full, or `stop` was set: the decoder under way is dropped). Blocking:
        seconds of CPU per decoder; run it off the event loop."""
        pcm = resample(audio, self.sample_rate).pcm
        step = self.sample_rate // 10 * 2  # 100 ms of 16-bit samples
        warmed = 0
        for _ in range(count):
            limit = self.decoders.limit
            if limit is not None and self.decoders.made >= limit:
                break
            decoder = Decoder(self._new_decoder(FREE_SPEECH), FREE_SPEECH)
            for start in range(0, len(pcm), step):
                if stop is not None and stop.is_set():
                    return warmed
                decoder.vosk.AcceptWaveform(pcm[start:start + step])
            decoder.vosk.FinalResult()
            decoder.decoded_ms += audio.duration_ms
            if not self.decoders.stock(decoder):
                break
            warmed += 1
        return warmed

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
        A grammar is spelt once and then reused (spelling a step's 1,000 phrases costs about
        3 ms of a decoder thread, at every listen step of every call otherwise); at most
        `GRAMMARS_KEPT` are kept.
        """
        key = tuple(phrases)
        with self._grammars_lock:
            known = self._grammars.get(key)
        if known is not None:
            return known
        grammar = self._spell_grammar(phrases)  # decoder threads: not under the lock
        with self._grammars_lock:
            if len(self._grammars) >= GRAMMARS_KEPT:
                del self._grammars[next(iter(self._grammars))]  # the oldest
            self._grammars[key] = grammar
        return grammar

    def _spell_grammar(self, phrases: Sequence[str]) -> str:
        if not self.dynamic_grammar:
            raise GrammarNotSupported(
                f"the model in {self.path} has a static graph and cannot take a phrase list; "
                "use a small model (with graph/HCLr.fst) or listen without hints"
            )
        kept = self.in_vocabulary(phrases)
        if len(kept) < len(phrases):
            log.debug("%d grammar phrase(s) of %d have words outside the model's vocabulary",
                      len(phrases) - len(kept), len(phrases))
        if not kept:
            raise GrammarNotSupported(
                f"none of the phrases {list(phrases)!r} is in the model's vocabulary",
                code="grammar_empty",
            )
        if self.knows("[unk]"):
            kept.append("[unk]")
        return json.dumps(kept, ensure_ascii=False)

    def in_vocabulary(self, phrases: Sequence[str]) -> list[str]:
        """The phrases the model can say, spelt with its words, once each, in order."""
        kept: dict[str, None] = {}
        for phrase in phrases:
            words = self.spell(phrase)
            if words:
                kept.setdefault(" ".join(words), None)
        return list(kept)

    def restricted(self, phrases: Sequence[str]) -> Sequence[str] | None:
        """`phrases` when the model can restrict decoding to them, else None (free speech):
        a model with a static graph (the large ones) cannot; that is logged once."""
        if self.dynamic_grammar:
            return phrases
        if not self._static_logged:
            self._static_logged = True
            log.info("the model in %s has a static graph: steps are decoded with free speech, "
                     "without their phrase grammars", self.path)
        return None


def _model_rate(folder: Path) -> int:
    conf = folder / "conf" / "mfcc.conf"
    if conf.exists():
        found = re.search(r"--sample-frequency=(\d+)", conf.read_text(encoding="utf-8"))
        if found:
            return int(found.group(1))
    return 16000
