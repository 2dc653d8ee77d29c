"""`CallControl`: what the service asks of the switchboard about a call (a boundary).

`AmiClient` implements it; a test double subclasses it (in tests/) so that a call session can
be tested without Asterisk.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod


class CallControl(ABC):
    """What the service asks of the switchboard about a call."""

    @abstractmethod
    async def transfer(
        self, call_id: uuid.UUID, reason: str, summary: str = "", target: str = "queue"
    ) -> str:
        """Hand the call to the agents (``queue``) or one agent (``1XX``) with its context."""

    @abstractmethod
    async def agents_available(self, queue: str) -> int:
        """How many agents of the queue could take a call now."""
