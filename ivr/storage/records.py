"""Frozen dataclasses returned by the repositories (detached from any session).

Times are aware datetimes in UTC; phone numbers are in `normalise_phone`'s storage form;
transcript text is already masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TurnRecord:
    seq: int
    """Position in the call, from 1."""
    at: datetime
    speaker: str
    """"caller", "assistant" or "agent" (an agent answering in the web chat)."""
    text: str
    """Masked text."""
    intent: str | None
    confidence: float | None
    """The recogniser's (ASR) confidence between 0 and 1; None for typed text and keys."""
    has_audio: bool
    intent_confidence: float | None = None
    """The understander's (NLU) confidence in `intent` between 0 and 1; None when unknown."""


@dataclass(frozen=True, slots=True)
class CallRecord:
    id: str
    caller_number: str | None
    started_at: datetime
    ended_at: datetime | None
    outcome: str | None
    """"resolved", "transferred", "callback", "abandoned", None while the call goes on."""
    transfer_queue: str | None
    transfer_reason: str | None
    summary: str | None
    turns: tuple[TurnRecord, ...] = ()
    satisfaction_scale: str | None = None
    """"1-5" or "yes_no" when the caller answered the satisfaction question, else None."""
    satisfaction_score: int | None = None
    """1 to 5, or 1 (oui) / 0 (non)."""
    transfer_agent: str | None = None
    """Extension of the agent who answered the transferred call, None until one does."""


@dataclass(frozen=True, slots=True)
class AppointmentRecord:
    id: int
    service: str
    starts_at: datetime
    duration_min: int
    name: str
    phone: str | None
    call_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TicketRecord:
    id: int
    reference: str
    """Human-friendly, unique: "SIG-2026-000123"."""
    category: str
    description: str
    location: str | None
    phone: str | None
    call_id: str | None
    status: str
    """"open", "in_progress" or "closed"."""
    notes: str
    created_at: datetime
    updated_at: datetime
    updated_by: str | None


@dataclass(frozen=True, slots=True)
class CallbackRecord:
    id: int
    phone: str
    name: str | None
    reason: str
    queue: str | None
    call_id: str | None
    status: str
    """"pending" or "done"."""
    requested_at: datetime
    done_at: datetime | None
    done_by: str | None


@dataclass(frozen=True, slots=True)
class FlowVersionRecord:
    id: int
    name: str
    version: int
    yaml_text: str
    author: str
    created_at: datetime
    published: bool


@dataclass(frozen=True, slots=True)
class PromptRecord:
    prompt_id: str
    wav: bytes
    """A RIFF/WAVE file, 16-bit mono PCM."""
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class PromptInfo:
    """A recorded prompt without its audio (for listings)."""

    prompt_id: str
    uploaded_by: str
    uploaded_at: datetime
    size_bytes: int


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    username: str
    role: str
    """"admin" or "agent"."""
    active: bool
    created_at: datetime
    phone: str | None = None
    """The agent's phone (PJSIP endpoint, "101"), None when the account has none."""


@dataclass(frozen=True, slots=True)
class FlowBundle:
    """A flow version with its files: the main file `NAME.yaml` (the version's `yaml_text`)
    first, then its companion files (intents, knowledge base, hours, tests...) by name."""

    version: FlowVersionRecord
    files: tuple[tuple[str, str], ...]
    """(file name, YAML text), the main file first."""

    @property
    def main_file(self) -> str:
        return self.files[0][0]

    def text(self, filename: str) -> str | None:
        return dict(self.files).get(filename)
