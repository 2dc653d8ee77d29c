"""Vosk decoders shared by every call's recognizers, lent for one utterance at a time.

A Vosk decoder (`KaldiRecognizer`) on a model with a runtime graph (the small models) builds
the parts of its decoding graph it visits as it decodes, and keeps them: a fresh decoder's
first utterance costs three to six times the CPU of later ones, and each decoder grows by
40 to 120 MB as it warms up (measured with the Korean test model: a fresh decoder decodes at
0.5 x real time, a warm one at 0.07-0.15). Lending warm decoders per utterance pays that once
per decoder, and `limit` bounds how many exist: the number of decoders (and the memory they
hold) follows the utterances decoded at the same moment, capped, not the calls in progress.
Past the cap an utterance waits for a decoder (`borrow`), its audio kept, and is caught up at
several times real time once it has one. A decoder also carries Vosk's speaker adaptation
from one utterance to the next, now across callers (the line and codec are the same for all).

Grammars are JSON lists of phrases (`FREE_SPEECH`, "[]": the model's whole language model);
a decoder keeps the grammar it was made with. Audio times are milliseconds.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

FREE_SPEECH = "[]"
"""Vosk's grammar for the model's whole language model (no phrase list)."""
MAX_IDLE = 16
"""Idle decoders kept for later utterances without a limit; beyond that a returned decoder
is freed."""


class Decoder:
    """One Vosk decoder and the audio it has decoded so far (Vosk's word times count from
    the decoder's first sample)."""

    __slots__ = ("decoded_ms", "grammar", "vosk")

    def __init__(self, vosk: Any, grammar: str) -> None:
        self.vosk = vosk
        self.grammar = grammar
        self.decoded_ms = 0.0


class _Waiter:
    """An utterance waiting on the event loop for a decoder of `grammar`."""

    __slots__ = ("future", "grammar", "loop")

    def __init__(self, grammar: str, loop: asyncio.AbstractEventLoop) -> None:
        self.grammar = grammar
        self.loop = loop
        self.future: asyncio.Future[Decoder | None] = loop.create_future()
        """Resolves to an idle decoder, or None: a place to make a new one."""


class DecoderShelf:
    """Decoders of one model by grammar, at most `limit` lent at once; thread-safe.

    `take`/`give_back` serve threads (evaluation, benchmarks) and never wait: they may lend
    past the limit. `borrow` serves the event loop and waits, first come first served, while
    `limit` decoders are out.
    """

    def __init__(self, make: Callable[[str], Any], max_idle: int | None = None,
                 limit: int | None = None) -> None:
        if limit is not None and limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        self._make = make
        """Builds a new Vosk decoder for a grammar (raises what Vosk raises)."""
        self.max_idle = max_idle if max_idle is not None else (limit or 0) + MAX_IDLE
        """Idle decoders kept (default: past `limit`, so that every warm one is kept)."""
        self.limit = limit
        """Most decoders lent at once to `borrow` (None: no limit)."""
        self._idle: dict[str, list[Decoder]] = {}
        self._waiters: deque[_Waiter] = deque()
        self._lock = threading.Lock()
        self.made = 0
        """Decoders built so far."""
        self.made_phrase_lists = 0
        """Of those, decoders built with a phrase-list grammar (not `FREE_SPEECH`)."""
        self.lent = 0
        """Decoders (or places for one) out at the moment."""
        self.waited = 0
        """Borrowings that had to wait for a decoder."""

    def take(self, grammar: str) -> Decoder:
        """An idle decoder for `grammar` (the most recently used: the warmest), else a new one."""
        with self._lock:
            self.lent += 1
            decoder = self._pop_idle(grammar)
        if decoder is not None:
            return decoder
        try:
            return self._new(grammar)
        except BaseException:
            self._release(None)
            raise

    async def borrow(self, grammar: str) -> Decoder:
        """`take` for the event loop: waits (without blocking the loop) while `limit` decoders
        are lent; a new decoder is built in a thread."""
        with self._lock:
            if self.limit is not None and self.lent >= self.limit:
                waiter = _Waiter(grammar, asyncio.get_running_loop())
                self._waiters.append(waiter)
                self.waited += 1
            else:
                waiter = None
                self.lent += 1
                decoder = self._pop_idle(grammar)
        if waiter is not None:
            try:
                decoder = await waiter.future
            except asyncio.CancelledError:
                future = waiter.future
                if future.done() and not future.cancelled():  # handed over, then cancelled
                    self._release(future.result())
                else:
                    with self._lock:
                        if waiter in self._waiters:
                            self._waiters.remove(waiter)
                raise
        if decoder is not None:
            return decoder
        try:
            return await asyncio.to_thread(self._new, grammar)
        except BaseException:
            self._release(None)
            raise

    def stock(self, decoder: Decoder) -> bool:
        """Add a decoder built (and warmed) outside the shelf to the idle ones; False when
        the shelf already has `limit` decoders, or `max_idle` idle ones (it is dropped)."""
        with self._lock:
            if (self.limit is not None and self.made >= self.limit) or (
                    self.idle >= self.max_idle):
                return False
            self.made += 1
            self.made_phrase_lists += decoder.grammar != FREE_SPEECH
            self.lent += 1  # as if lent, so that it comes back like any other
        self._release(decoder)
        return True

    def give_back(self, decoder: Decoder) -> None:
        """Return a decoder whose utterance is finished (its final result taken)."""
        self._release(decoder)

    @property
    def idle(self) -> int:
        return sum(len(decoders) for decoders in self._idle.values())

    def _new(self, grammar: str) -> Decoder:
        decoder = Decoder(self._make(grammar), grammar)
        with self._lock:
            self.made += 1
            self.made_phrase_lists += grammar != FREE_SPEECH
        return decoder

    def _pop_idle(self, grammar: str) -> Decoder | None:
        idle = self._idle.get(grammar)
        return idle.pop() if idle else None

    def _release(self, decoder: Decoder | None) -> None:
        """A decoder (or the place of one never built) comes back: to the first waiter, else
        to the idle decoders."""
        with self._lock:
            if decoder is not None and self.idle < self.max_idle:
                self._idle.setdefault(decoder.grammar, []).append(decoder)
            if not self._waiters:
                self.lent -= 1
                return
            waiter = self._waiters.popleft()  # the place passes on: `lent` is unchanged
            handed = self._pop_idle(waiter.grammar)
        try:
            waiter.loop.call_soon_threadsafe(self._deliver, waiter, handed)
        except RuntimeError:  # its loop is closed: nobody waits any more
            self._release(handed)

    def _deliver(self, waiter: _Waiter, decoder: Decoder | None) -> None:
        """On the waiter's loop: hand over, or pass the place on if it gave up meanwhile."""
        if waiter.future.cancelled():
            self._release(decoder)
        else:
            waiter.future.set_result(decoder)
