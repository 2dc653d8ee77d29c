"""What a web chat leaves behind, turn by turn, and its hand-over to an agent.

Every turn of a conversation is recorded (`record_turns`, `record`: texts masked by
`ivr.storage.calls.add_turn`, deleted with the call by the retention purge) and published on
the `LiveHub` (masked when shown), so the agents' console shows it. Once the flow transfers a
conversation, its stored row (`ivr.storage.chats.ChatRow`) has a `queue`: the citizen's
messages go to the agent as "caller" turns instead of to the flow engine, and the agent's
replies are "agent" turns, kept in the row, in order (unmasked: the citizen reads them), until
the conversation is gone; `replies_view` gives the citizen those from an index on.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from dialogs.events import Action, CallerInput, Digits, Say, Utterance
from dialogs.state import CallState
from ivr.live import CallEvent, LiveHub
from ivr.live_events import turn_events
from ivr.storage import calls
from ivr.storage.chats import ChatRow
from ivr.storage.database import Database
from ivr.storage.errors import Conflict, StorageError

log = logging.getLogger(__name__)
Side = Literal["citizen", "agent"]
ENDED_BY = {"citizen": "terminée par l’usager", "agent": "terminée par le conseiller"}
"""The live "end" event's reason (French, shown to agents) by who ended the conversation."""
HANDED_OVER = ("Votre demande est transmise à un conseiller de la mairie, qui vous répondra "
               "ici dès que possible. Vous pouvez continuer à écrire.")


def open_handover(row: ChatRow) -> None:
    """`Conflict` unless the conversation is handed over and not ended."""
    if row.queue is None:
        raise Conflict("this conversation is not handed over to an agent")
    if row.ended_by is not None:
        raise Conflict("this conversation has ended")


def replies_view(row: ChatRow, after: int) -> dict[str, Any]:
    """The agents' replies from index `after` on, and where the next fetch starts."""
    start = min(max(after, 0), len(row.replies))
    return {"id": row.id, "messages": row.replies[start:], "next": len(row.replies),
            "ended": row.ended_by is not None, "ended_by": row.ended_by}


def record(database: Database, live: LiveHub, conversation_id: str, speaker: str,
           text: str) -> None:
    """Store one message as a turn (masked by storage) and show it live to the agents."""
    try:
        with database.transaction() as s:
            calls.add_turn(s, conversation_id, speaker, text)
    except StorageError as err:
        log.warning("web chat %s: message not recorded (%s)", conversation_id, err)
    live.publish(CallEvent(conversation_id, "turn", speaker=speaker, text=text))


def record_turns(database: Database, live: LiveHub, conversation_id: str, state: CallState,
                 caller: CallerInput | None, actions: list[Action]) -> None:
    """Store the citizen's message and the flow's answer of one step, and show them live."""
    turn = state.transcript[-1]
    said = " ".join(a.text for a in actions if isinstance(a, Say))
    heard = caller.text if isinstance(caller, Utterance) else (
        f"[touches {caller.digits}]" if isinstance(caller, Digits) else "")
    try:
        with database.transaction() as s:
            if heard:
                calls.add_turn(s, conversation_id, "caller", heard, intent=turn.intent,
                               intent_confidence=turn.intent_confidence)
            if said:
                calls.add_turn(s, conversation_id, "assistant", said)
    except StorageError as err:
        log.warning("web chat %s: turn not recorded (%s)", conversation_id, err)
    for event in turn_events(conversation_id, turn):
        live.publish(event)


def end_record(database: Database, conversation_id: str, outcome: str, queue: str | None,
               reason: str | None) -> None:
    try:
        with database.transaction() as s:
            calls.end_call(s, conversation_id, outcome, summary="conversation par le chat du site",
                           transfer_queue=queue, transfer_reason=reason)
    except StorageError as err:
        log.warning("web chat %s: end not recorded (%s)", conversation_id, err)


def ended(live: LiveHub, conversation_id: str, side: Side) -> None:
    """Take the conversation off the agents' live list (the record ended at the transfer)."""
    live.publish(CallEvent(conversation_id, "end", reason=ENDED_BY[side]))
