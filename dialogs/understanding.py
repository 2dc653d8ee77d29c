"""The boundary between the dialogue engine and French understanding.

The engine asks an `Understander` what a caller's words mean (intent and slots) and, while
filling a form, to pull one kind of value out of an answer. Slot values are strings in fixed
formats: dates "YYYY-MM-DD", times "HH:MM", phone numbers as digits only.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Understanding:
    """What an utterance means to the flow."""

    text: str
    """The utterance as heard."""
    intent: str | None
    """Best intent, or None when nothing reaches the confidence threshold."""
    confidence: float
    """Confidence of `intent` between 0 and 1 (of the best candidate when intent is None)."""
    slots: Mapping[str, str] = field(default_factory=dict)
    """Slot values found in the utterance; a slot not found is absent."""


class Understander(ABC):
    """French understanding as the engine sees it."""

    @abstractmethod
    def understand(self, text: str, now: datetime) -> Understanding:
        """Intent and slots of an utterance; relative dates are resolved against `now`."""

    @abstractmethod
    def extract(self, kind: str, text: str, now: datetime) -> str | None:
        """One value of `kind` ("date", "time", "phone", "yes_no", "number", "address",
        "name", ...) from an answer, in its fixed format, or None when it is not there."""

    def phrases(self, intents: Iterable[str], kinds: Iterable[str]) -> tuple[str, ...]:
        """Phrases these intents are recognised by (examples, cues) and the values of these
        entity kinds, for a speech grammar; none by default (then steps rely on the flow's
        own words)."""
        return ()

    def slot_kinds(self, intents: Iterable[str]) -> tuple[str, ...]:
        """Entity kinds of the slots these intents take (in order, once each)."""
        return ()
