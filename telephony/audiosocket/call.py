"""`CallAudio`: one call's audio and keys as the call session sees them (a boundary).

`AudioSocketConnection` implements it; a test double subclasses it (in tests/) so that a call
session can be tested without Asterisk. Audio is signed 16-bit little-endian mono.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterable

from speech.frames import AudioFrame
from telephony.audiosocket.codec import Event
from telephony.audiosocket.pacing import Playback


class CallAudio(ABC):
    """One call's audio: events from the caller, paced prompts to the caller."""

    call_id: uuid.UUID
    """The call's UUID (AudioSocket's, the dialplan's ``STANDARDISTE_UUID``)."""
    rate: int | None
    """Sample rate (Hz) of the caller's audio once known; prompts should use it."""

    @abstractmethod
    def events(self) -> AsyncIterator[Event]:
        """Audio, digits and errors from the caller, ending with `HangupReceived`."""

    @abstractmethod
    def play(self, audio: AudioFrame | Iterable[AudioFrame]) -> Playback:
        """Queue a prompt; its handle says when it has played (or was cut)."""

    @abstractmethod
    def flush(self) -> int:
        """Drop queued audio at once (barge-in); returns the frames dropped."""

    @abstractmethod
    async def hangup(self) -> None:
        """End the service's leg of the call."""
