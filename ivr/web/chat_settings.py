"""The web chat's settings (limits, which flow it plays) and its two refusals: too many
messages (`TooMany`, with the seconds to wait) and no playable flow (`ChatUnavailable`)."""

from __future__ import annotations

from dataclasses import dataclass

from ivr.flows_live import DEFAULT_FLOW


@dataclass(frozen=True, slots=True)
class ChatSettings:
    idle_s: float = 1800.0
    """A conversation idle this long (seconds) is closed and forgotten."""
    max_conversations: int = 500
    """Conversations kept at once; the oldest idle one is closed to make room."""
    per_conversation: int = 30
    """Messages allowed per conversation within `window_s`."""
    per_address: int = 120
    """Requests (starts and messages) allowed per client address within `window_s`."""
    polls_per_conversation: int = 90
    """Fetches of an agent's replies allowed per conversation within `window_s`."""
    window_s: float = 60.0
    """Window of the rate limits, seconds."""
    flow: str = DEFAULT_FLOW
    """The published flow the chat plays."""


class TooMany(Exception):
    """A rate limit is reached; `retry_after` seconds to wait."""

    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many messages, retry in {retry_after} s")
        self.retry_after = retry_after


class ChatUnavailable(Exception):
    """No flow can be played: the chat cannot start (the web answer says to call instead)."""

    code = "chat_unavailable"
