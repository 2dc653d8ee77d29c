"""Errors of the call session: one base with a machine-readable `code`."""

from __future__ import annotations


class SessionError(Exception):
    """A call could not go on as planned (the session ends it politely)."""

    code: str = "session_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class TransferUnavailable(SessionError):
    """The call cannot be moved to a person: AMI down, no agent free, Asterisk refused."""

    code = "transfer_unavailable"


class ShuttingDown(SessionError):
    """The service is stopping: the call ends with a goodbye."""

    code = "shutting_down"


class VoiceLost(SessionError):
    """Speech synthesis failed: only recorded fallback prompts can be played."""

    code = "voice_lost"
