"""Test doubles at the session's boundaries (subclasses of the real abstract classes)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

from dialogs.understanding import Understander, Understanding
from ivr.session.errors import TransferUnavailable
from ivr.session.switchboard import Switchboard, Target
from speech.errors import SynthesisFailed
from speech.frames import AudioFrame
from speech.tts import SynthesisEngine, SynthesisRequest


class RecordingSwitchboard(Switchboard):
    """A telephone system that records transfers; `agents` free in every queue."""

    def __init__(self, agents: int = 1, up: bool = True, fail: bool = False) -> None:
        self.agents = agents
        self._up = up
        self.fail = fail
        self.transfers: list[tuple[uuid.UUID, dict[str, str], Target]] = []
        self.asked: list[str] = []
        self.ends: list[uuid.UUID] = []
        """Calls the service marked as ended on purpose (`mark_end`)."""
        self.after_transfer: Callable[[], Awaitable[None]] | None = None
        """Run after a transfer, like Asterisk taking the channel away (closing AudioSocket)."""

    @property
    def up(self) -> bool:
        return self._up

    async def agents_available(self, asterisk_queue: str) -> int:
        self.asked.append(asterisk_queue)
        return self.agents

    async def transfer(
        self, call_id: uuid.UUID, variables: Mapping[str, str], target: Target
    ) -> None:
        if self.fail:
            raise TransferUnavailable("Redirect refused", "ami.action")
        self.transfers.append((call_id, dict(variables), target))
        if self.after_transfer is not None:
            await self.after_transfer()

    async def mark_end(self, call_id: uuid.UUID) -> bool:
        self.ends.append(call_id)
        return self._up


class BrokenEngine(SynthesisEngine):
    """A synthesis engine that always fails (espeak-ng missing or crashing)."""

    name = "broken"

    def synthesize(self, request: SynthesisRequest, timeout_s: float) -> AudioFrame:
        raise SynthesisFailed("the voice is broken", code="synthesis_failed")


class PhraseUnderstander(Understander):
    """Maps recognised phrases (Korean grammar phrases in tests) to intents."""

    def __init__(self, intents: Mapping[str, str]) -> None:
        self.intents = dict(intents)

    def understand(self, text: str, now: datetime) -> Understanding:
        intent = self.intents.get(text.strip())
        return Understanding(text, intent, 0.95 if intent else 0.0)

    def extract(self, kind: str, text: str, now: datetime) -> str | None:
        return None


class FailingUnderstander(Understander):
    """Understanding that crashes (a bug in an intents file, say)."""

    def understand(self, text: str, now: datetime) -> Understanding:
        raise RuntimeError("understanding crashed")

    def extract(self, kind: str, text: str, now: datetime) -> str | None:
        raise RuntimeError("understanding crashed")


class ExplodingSwitchboard(RecordingSwitchboard):
    """A telephone system with a bug: asking for agents raises something unexpected."""

    async def agents_available(self, asterisk_queue: str) -> int:
        raise RuntimeError("bug in the switchboard")
