"""Vosk decoders shared by every call's recognizers, lent for one utterance at a time.

A Vosk decoder (`KaldiRecognizer`) on a model with a runtime graph (the small models) builds
the parts of its decoding graph it visits as it decodes, and keeps them: a fresh decoder's
first utterance costs about three times the CPU of later ones, and each decoder grows by
about 40 MB as it warms up (measured with the Korean test model, bench/calls.py). Keeping one
decoder per call paid both for every call; lending warm decoders per utterance pays them once
per decoder, and the number of decoders follows the utterances decoded at the same moment,
not the calls in progress. A decoder also carries Vosk's speaker adaptation from one
utterance to the next, now across callers (the line and codec are the same for all).

Grammars are JSON lists of phrases (`FREE_SPEECH`, "[]": the model's whole language model);
a decoder keeps the grammar it was made with. Audio times are milliseconds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

FREE_SPEECH = "[]"
"""Vosk's grammar for the model's whole language model (no phrase list)."""
MAX_IDLE = 16
"""Idle decoders kept for later utterances; beyond that a returned decoder is freed."""


class Decoder:
    """One Vosk decoder and the audio it has decoded so far (Vosk's word times count from
    the decoder's first sample)."""

    __slots__ = ("decoded_ms", "grammar", "vosk")

    def __init__(self, vosk: Any, grammar: str) -> None:
        self.vosk = vosk
        self.grammar = grammar
        self.decoded_ms = 0.0


class DecoderShelf:
    """Idle decoders of one model by grammar; thread-safe."""

    def __init__(self, make: Callable[[str], Any], max_idle: int = MAX_IDLE) -> None:
        self._make = make
        """Builds a new Vosk decoder for a grammar (raises what Vosk raises)."""
        self.max_idle = max_idle
        self._idle: dict[str, list[Decoder]] = {}
        self._lock = threading.Lock()
        self.made = 0
        """Decoders built so far."""

    def take(self, grammar: str) -> Decoder:
        """An idle decoder for `grammar` (the most recently used: the warmest), else a new one."""
        with self._lock:
            idle = self._idle.get(grammar)
            if idle:
                return idle.pop()
        decoder = Decoder(self._make(grammar), grammar)
        with self._lock:
            self.made += 1
        return decoder

    def give_back(self, decoder: Decoder) -> None:
        """Return a decoder whose utterance is finished (its final result taken)."""
        with self._lock:
            if self.idle < self.max_idle:
                self._idle.setdefault(decoder.grammar, []).append(decoder)

    @property
    def idle(self) -> int:
        return sum(len(decoders) for decoders in self._idle.values())
