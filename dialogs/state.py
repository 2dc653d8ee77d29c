"""The state of one call, as the engine leaves it after each turn, and its transcript.

Everything is plain JSON (pydantic): `CallState.model_dump_json()` saves a call and
`CallState.model_validate_json()` resumes it. Dates in slots are "YYYY-MM-DD", times "HH:MM",
phone numbers digits only; `at` in a turn is the ISO local time passed to the engine.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

InputKind = Literal["start", "speech", "dtmf", "silence"]
ActionKind = Literal["listen", "transfer", "hangup"]


class TransferInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    queue: str
    reason: str


class Turn(BaseModel):
    """One turn of the transcript: the caller's input and what the assistant did."""

    model_config = ConfigDict(extra="forbid")
    index: int = Field(description="0 for the greeting, then 1, 2...")
    at: str = Field(description="Local time of the turn, ISO 8601.")
    input: InputKind
    text: str | None = Field(default=None, description="Recognised speech.")
    asr_confidence: float | None = None
    digits: str | None = None
    intent: str | None = None
    intent_confidence: float | None = None
    node: str = Field(description="Node where the call waits (or ended) after the turn.")
    slots: dict[str, str] = Field(default_factory=dict, description="Slots after the turn.")
    say: list[str] = Field(default_factory=list)
    action: ActionKind
    transfer: TransferInfo | None = None
    pace: float = Field(default=1.0, description="Speech pace of what was said (1.0 normal).")
    feedback: int | None = Field(default=None, description="Satisfaction score given.")


class FeedbackAnswer(BaseModel):
    """The caller's answer to the satisfaction question."""

    model_config = ConfigDict(extra="forbid")
    scale: Literal["1-5", "yes_no"]
    score: int = Field(description="1 to 5; for yes_no, 1 for oui and 0 for non.")
    comment: str = Field(default="", description="Words said with the answer, if spoken.")


class CallState(BaseModel):
    """Where a call is and what it has gathered."""

    model_config = ConfigDict(extra="forbid")
    node: str = Field(description="Current node (a listening node while the call goes on).")
    call_id: str = Field(default="", description="Id given by the session (feedback sampling).")
    ended: bool = False
    slots: dict[str, str] = Field(default_factory=dict)
    counters: dict[str, int] = Field(default_factory=dict)
    service: str | None = Field(default=None, description="Service concerned (for callbacks).")
    reason: str | None = Field(default=None, description="Why the caller wants that service.")
    form_slot: str | None = Field(default=None, description="Slot asked, or '!confirm'.")
    form_denials: int = 0
    proposed: list[str] = Field(default_factory=list, description="Free times proposed.")
    no_input: int = Field(default=0, description="No-input count at the current step.")
    no_match: int = Field(default=0, description="No-match count at the current step.")
    call_failures: int = 0
    gave_up: bool = False
    turns: int = 0
    last_text: str = ""
    last_intent: str | None = None
    last_say: list[str] = Field(default_factory=list, description="For 'repeat'.")
    last_hints: list[str] = Field(default_factory=list)
    last_max_digits: int = 1
    last_long_answer: bool = False
    pace: float = Field(default=1.0, description="Speech rate asked by the caller (1.0 normal).")
    clear: bool = Field(default=False, description="The caller asked for a clearer voice.")
    announced: list[str] = Field(default_factory=list, description="Announcements said.")
    feedback_asked: bool = False
    feedback: FeedbackAnswer | None = None
    transcript: list[Turn] = Field(default_factory=list)
