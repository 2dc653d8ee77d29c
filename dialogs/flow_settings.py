"""Flow-wide settings of the flow format: global handlers (repeat, help, agent, goodbye,
message), the failure policy, the caller's speech-pace requests (accessibility) and the
wording rules `check-flow` warns about.

Paces are speech-rate multipliers (1.0 normal, below 1 slower); word counts are words
separated by spaces.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

DTMF_PATTERN = r"^[0-9*#]$"
CODE_PATTERN = r"^\*[0-9]$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Handler(Strict):
    """A global handler: how the caller triggers it (intent, key, phrases) and what it does."""

    intent: str | None = Field(default=None, description="Intent that triggers it.")
    dtmf: str | None = Field(default=None, pattern=DTMF_PATTERN, description="Keypad key.")
    phrases: list[str] = Field(
        default_factory=list,
        description="Phrases (lowercase) that trigger it: a one-word phrase when it is the "
        "whole utterance, a longer one anywhere in the utterance (the whole answer when a "
        "form asks for free text).",
    )
    goto: str | None = Field(
        default=None, description="Node to go to (agent, goodbye, message)."
    )
    say: str | list[str] | None = Field(
        default=None, description="Text(s) said (help), then the step's question again."
    )


class Handlers(Strict):
    repeat: Handler | None = None
    help: Handler | None = None
    agent: Handler | None = None
    goodbye: Handler | None = None
    message: Handler | None = Field(
        default=None,
        description="Leave a message, a complaint or a suggestion ('je voudrais laisser un "
        "message'): usually the phrases and a `goto` to a form with `submit: message`.",
    )


class Fallback(Strict):
    """What happens when the caller is not heard or not understood."""

    escalate: str = Field(description="Node after `max_failures` failures at one step.")
    give_up: str = Field(description="Node after `max_call_failures` failures in the call.")
    max_failures: int = Field(default=2, ge=1, le=5, description="Failures per step.")
    max_call_failures: int = Field(default=6, ge=2, le=20, description="Failures per call.")
    max_turns: int = Field(default=60, ge=5, le=500, description="Caller turns per call.")
    no_input: str = Field(default="Je ne vous entends pas.", description="Said on silence.")
    no_match: str = Field(default="Je n'ai pas bien compris.", description="Said when lost.")
    misheard: str = Field(
        default="Je n'ai pas bien entendu.", description="Said when speech is too unsure."
    )


class PaceRequest(Strict):
    """How a caller asks for a change of voice: a keypad code and/or phrases."""

    dtmf: str | None = Field(
        default=None, pattern=CODE_PATTERN, description="Keypad code: '*' then a digit."
    )
    phrases: list[str] = Field(
        default_factory=list,
        description="Phrases (lowercase) found in a short answer ('parlez moins vite').",
    )
    say: str = Field(description="Said (at the new pace) before the last question again.")


class Accessibility(Strict):
    """Speech-pace requests available at every listening step; the choice holds for the rest
    of the call."""

    slower: PaceRequest | None = Field(default=None, description="Speak more slowly.")
    normal: PaceRequest | None = Field(default=None, description="Back to the normal voice.")
    clearer: PaceRequest | None = Field(
        default=None, description="Louder and clearer (recorded prompts, a little slower)."
    )
    slower_factor: float = Field(
        default=0.8, gt=0.3, lt=1, description="Each 'slower' multiplies the pace by this."
    )
    min_pace: float = Field(default=0.6, gt=0.2, le=1, description="Slowest pace.")
    clear_pace: float = Field(
        default=0.9, gt=0.2, le=1, description="Pace (at most) of the clearer voice."
    )
    max_words: int = Field(
        default=8, ge=2, le=30,
        description="Phrases count only in answers of at most this many words (longer "
        "answers talk about something else).",
    )


class Wording(Strict):
    """Plain-language rules; `check-flow` warns about texts that break them."""

    max_words: int = Field(
        default=40, ge=5, le=500, description="Longest text said at once, in words."
    )
    abbreviations: dict[str, str] = Field(
        default_factory=dict,
        description="Abbreviation -> expansion: the abbreviation is fine in a text that "
        "also says the expansion (e.g. PACS: pacte civil de solidarité).",
    )
    allowed: list[str] = Field(
        default_factory=list,
        description="Abbreviations every caller knows, fine anywhere (e.g. SAMU).",
    )
