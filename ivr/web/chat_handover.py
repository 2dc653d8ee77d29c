"""A web chat handed over to an agent: what the agent wrote for the citizen, who ended it.

Once the flow transfers a chat conversation, its `Conversation.handover` is a `HandOver`:
the citizen's messages go to the agent (recorded as "caller" turns and published on the
`LiveHub`, so the agent's call page shows them) instead of to the flow engine, and the
agent's replies are recorded as "agent" turns, published likewise, and kept here, in order,
until the citizen's page fetches them (`replies[after:]`). Like every turn, the stored texts
are masked by `ivr.storage.calls.add_turn` and deleted with the call by the retention purge;
the live events are masked when shown. Nothing here is kept once the conversation is gone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from ivr.live import CallEvent, LiveHub
from ivr.storage import calls
from ivr.storage.database import Database
from ivr.storage.errors import StorageError

log = logging.getLogger(__name__)
Side = Literal["citizen", "agent"]
ENDED_BY = {"citizen": "terminée par l’usager", "agent": "terminée par le conseiller"}
"""The live "end" event's reason (French, shown to agents) by who ended the conversation."""


@dataclass(slots=True)
class HandOver:
    """The agent's side of a handed-over conversation (guarded by the conversation's lock)."""

    queue: str
    """The service queue the flow transferred to."""
    replies: list[str] = field(default_factory=list)
    """What agents wrote to the citizen, in order (unmasked: the citizen reads it)."""
    ended_by: Side | None = None
    """Who ended the conversation; None while it goes on."""

    def view(self, conversation_id: str, after: int) -> dict[str, object]:
        """The replies from index `after` on, and where the next fetch starts."""
        start = min(max(after, 0), len(self.replies))
        return {"id": conversation_id, "messages": self.replies[start:],
                "next": len(self.replies), "ended": self.ended_by is not None,
                "ended_by": self.ended_by}


def record(database: Database, live: LiveHub, conversation_id: str, speaker: str,
           text: str) -> None:
    """Store one message as a turn (masked by storage) and show it live to the agents."""
    try:
        with database.transaction() as s:
            calls.add_turn(s, conversation_id, speaker, text)
    except StorageError as err:
        log.warning("web chat %s: message not recorded (%s)", conversation_id, err)
    live.publish(CallEvent(conversation_id, "turn", speaker=speaker, text=text))


def ended(live: LiveHub, conversation_id: str, side: Side) -> None:
    """Take the conversation off the agents' live list (the record ended at the transfer)."""
    live.publish(CallEvent(conversation_id, "end", reason=ENDED_BY[side]))
