"""A text simulator of calls: one line of caller input at a time, as typed in `ivr chat` or
written in conversation tests.

Line format: text is speech (as Vosk would hear it), `dtmf:12#` is keypad digits, an empty
line is silence (no input).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from dialogs.engine import Engine
from dialogs.events import Action, CallerInput, Digits, NoInput, Utterance
from dialogs.state import CallState, Turn


def parse_line(line: str) -> CallerInput:
    """Caller input from one simulator line."""
    text = line.strip()
    if not text:
        return NoInput()
    if text.lower().startswith("dtmf:"):
        return Digits(text[5:].strip())
    return Utterance(text)


def parse_booked(item: str) -> tuple[str, date, str]:
    """(service, day, "HH:MM") from 'etat_civil@2026-05-12T10:00' (a slot already taken)."""
    service, at, moment = item.partition("@")
    if not at or not service:
        raise ValueError(f"'{item}' is not SERVICE@YYYY-MM-DDTHH:MM")
    when = datetime.fromisoformat(moment)
    return service, when.date(), when.strftime("%H:%M")


@dataclass(slots=True)
class Call:
    """One simulated call: its engine, clock and state (a new call greets the caller; a
    call resumed from a saved state goes on where it was)."""

    engine: Engine
    now: datetime
    state: CallState | None = None
    actions: list[Action] = field(default_factory=list)
    call_id: str = ""
    """Id given to a new call (it decides feedback sampling)."""

    def __post_init__(self) -> None:
        if self.state is None:
            self.state, self.actions = self.engine.start(self.now, self.call_id)

    @property
    def current(self) -> CallState:
        assert self.state is not None, "set in __post_init__"
        return self.state

    @property
    def last_turn(self) -> Turn:
        return self.current.transcript[-1]

    def send(self, caller: CallerInput) -> Turn | None:
        """Play one input; the turn recorded, or None when the call had already ended."""
        if self.current.ended:
            return None
        self.state, self.actions = self.engine.step(self.current, caller, self.now)
        return self.last_turn
