"""Test doubles of the telephony boundaries, for call-session tests without Asterisk.

`ScriptedCall` plays a caller's script of events (then hangs up) and pays out prompts through
the real paced writer into memory; `RecordingControl` records transfers.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence

from speech.frames import AudioFrame
from telephony.audiosocket import Event, HangupReceived, PacedWriter, Playback
from telephony.boundaries import CallAudio, CallControl


class ScriptedCall(CallAudio):
    """A caller whose events come from a list; ``delay_s`` between events."""

    def __init__(
        self, script: Sequence[Event], rate: int = 16000, delay_s: float = 0.0
    ) -> None:
        self.call_id = uuid.uuid4()
        self.rate = rate
        self.script = list(script)
        self.delay_s = delay_s
        self.sent: list[bytes] = []
        """Every message the service sent, encoded as on the wire."""
        self.hung_up = False
        self.audio = PacedWriter(self._sink)

    async def _sink(self, data: bytes) -> None:
        self.sent.append(data)

    async def events(self) -> AsyncIterator[Event]:
        for event in self.script:
            if self.hung_up:
                return
            await asyncio.sleep(self.delay_s)
            yield event
            if isinstance(event, HangupReceived):
                return
        if not self.hung_up:
            yield HangupReceived(explicit=False)

    def play(self, audio: AudioFrame | Iterable[AudioFrame]) -> Playback:
        return self.audio.play(audio)

    def flush(self) -> int:
        return self.audio.flush()

    async def hangup(self) -> None:
        self.hung_up = True
        await self.audio.close()


class RecordingControl(CallControl):
    """Records transfers; says ``available`` agents are free."""

    def __init__(self, available: int = 1) -> None:
        self.available = available
        self.transfers: list[tuple[uuid.UUID, str, str, str]] = []

    async def transfer(
        self, call_id: uuid.UUID, reason: str, summary: str = "", target: str = "queue"
    ) -> str:
        self.transfers.append((call_id, reason, summary, target))
        return f"Local/{call_id}"

    async def agents_available(self, queue: str) -> int:
        return self.available
