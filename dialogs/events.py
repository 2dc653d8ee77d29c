"""What goes into the dialogue engine (caller input) and what comes out of it (actions).

Both are small closed sets of frozen dataclasses; the call session turns audio and keypad
events into inputs, and actions into speech, transfers and hang-ups.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Utterance:
    """Something the caller said, as recognised."""

    text: str
    """Recognised text (Vosk style: lowercase, no punctuation)."""
    confidence: float = 1.0
    """Recogniser confidence between 0 and 1."""
    start_s: float = 0.0
    """Start of the speech, seconds since the call started."""
    end_s: float = 0.0
    """End of the speech, seconds since the call started."""


@dataclass(frozen=True, slots=True)
class Digits:
    """Keypad digits pressed by the caller ('0'-'9', '*', '#')."""

    digits: str


@dataclass(frozen=True, slots=True)
class NoInput:
    """The caller said nothing before the listen step's timeout."""


CallerInput = Utterance | Digits | NoInput


@dataclass(frozen=True, slots=True)
class Say:
    """Speak a prompt to the caller.

    The session must synthesise the text at `pace` (espeak-ng: words per minute times
    `pace`) and, when `clear` is set, prefer the recorded prompt if one exists and speak
    louder; both stay the same for the rest of the call once the caller has asked for them
    ("parlez moins vite", keypad `*1`), so every Say of the call carries them.
    """

    text: str
    """French text to synthesise."""
    prompt_id: str | None = None
    """Id of a recorded prompt that replaces the synthetic voice when one exists."""
    barge_in: bool = True
    """Whether caller speech or a digit may interrupt this prompt."""
    pace: float = 1.0
    """Speech rate multiplier: 1.0 normal, below 1 slower (0.8 = 20 % slower)."""
    clear: bool = False
    """The caller hears with difficulty: louder, clearer voice, recorded prompt if any."""


@dataclass(frozen=True, slots=True)
class Listen:
    """Wait for the caller's answer."""

    hints: tuple[str, ...] = ()
    """Phrases the flow wrote for this step (the first of `phrases`)."""
    phrases: tuple[str, ...] = ()
    """Everything the step can act on (see `dialogs.phrases`): the recogniser may restrict
    itself to these; empty: `hints` alone."""
    free_text: bool = False
    """The step takes free words (a name, an address, a message): free speech, no grammar."""
    end_silence_ms: int = 600
    """Trailing silence that ends the caller's turn, milliseconds."""
    no_input_ms: int = 6000
    """Silence before the turn counts as no input, milliseconds."""
    max_digits: int = 1
    """Keypad digits that complete the turn ('#' ends it sooner)."""
    code_key: str | None = None
    """A key that starts a two-key code (`*1` slower speech...): when the turn's first key
    is this one, the session waits up to `code_wait_ms` for one more key and sends both
    ('*1'), or the key alone ('*': repeat) when none comes. None: no codes."""
    code_wait_ms: int = 2000
    """How long to wait for the second key of a code, milliseconds."""


@dataclass(frozen=True, slots=True)
class Transfer:
    """Hand the call to a human agent's queue."""

    queue: str
    """Name of the service queue."""
    reason: str
    """Why the call is transferred (shown to the agent)."""
    summary: str = ""
    """Short French summary of the call so far."""
    context: tuple[tuple[str, str], ...] = ()
    """What the call gathered, as (name, value) pairs: intent, slots, last words heard."""


@dataclass(frozen=True, slots=True)
class Hangup:
    """End the call."""

    reason: str = ""


Action = Say | Listen | Transfer | Hangup
