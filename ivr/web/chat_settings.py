"""The web chat's settings (limits, which flow it plays) and its two refusals: too many
messages or conversations (`TooMany`, with the seconds to wait) and no playable flow
(`ChatUnavailable`)."""

from __future__ import annotations

from dataclasses import dataclass

from ivr.flows_live import DEFAULT_FLOW


@dataclass(frozen=True, slots=True)
class ChatSettings:
    idle_s: float = 1800.0
    """A conversation idle this long (seconds) is closed and forgotten."""
    max_conversations: int = 500
    """Conversations kept at once. When full, a client's new conversation replaces that
    client's own oldest one; a client with none open is refused (429) until room frees up:
    one client never closes another's conversation."""
    per_client: int = 5
    """Conversations one client address keeps open at once; its oldest one is closed to make
    room for a new one (a citizen reloading the page), never another client's."""
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

    def __init__(self, retry_after: int, what: str = "too many messages") -> None:
        super().__init__(f"{what}, retry in {retry_after} s")
        self.retry_after = retry_after


class ChatUnavailable(Exception):
    """No flow can be played: the chat cannot start (the web answer says to call instead)."""

    code = "chat_unavailable"
