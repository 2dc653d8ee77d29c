"""What happened in one call, as the session reports it (for `ivr call`, tests and logs).

Times (`at`) are seconds since the call started.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class CallReport:
    """What happened in a call (for `ivr call`, tests and logs)."""

    call_id: str
    outcome: str = "abandoned"
    """resolved, transferred, callback or abandoned."""
    turns: list[dict[str, object]] = field(default_factory=list)
    """{"speaker": "caller"|"assistant", "text", "intent"?, "confidence"?, "at"} in order."""
    transfer: dict[str, str] | None = None
    returned: bool = False
    """True for a call back from a transfer nobody answered (a callback was offered)."""
    barge_ins: int = 0
    keypad_only: bool = False
    errors: list[str] = field(default_factory=list)
    recognitions: dict[str, int] = field(default_factory=dict)
    """Final transcripts by decoding pass: grammar, free, free_after_grammar (re-decodes)."""
