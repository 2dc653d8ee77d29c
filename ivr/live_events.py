"""From the dialogue engine's turns and actions to live call events (`ivr.live.CallEvent`), so
the call session publishes with two calls per turn:

    turn = state.transcript[-1]
    for event in turn_events(call_id, turn):
        hub.publish(event)
    ... and when the engine asks for a transfer:
    hub.publish(transfer_event(call_id, transfer_action))

A turn gives one "caller" event (speech text, "touche 12" for digits; nothing for silence or
the greeting) and one "assistant" event (what was said, joined), both carrying the node and
the slots after the turn. Times are aware (UTC) at publication.
"""

from __future__ import annotations

from datetime import UTC, datetime

from dialogs.events import Transfer
from dialogs.state import Turn
from ivr.live import CallEvent


def turn_events(call_id: str, turn: Turn, at: datetime | None = None) -> list[CallEvent]:
    """The caller's and the assistant's parts of one engine turn."""
    moment = at or datetime.now(UTC)
    slots = tuple(sorted(turn.slots.items()))
    events: list[CallEvent] = []
    said = turn.text if turn.input == "speech" else (
        f"touche {turn.digits}" if turn.input == "dtmf" and turn.digits else None)
    if said:
        events.append(CallEvent(call_id, "turn", at=moment, speaker="caller", text=said,
                                intent=turn.intent, node=turn.node, slots=slots))
    if turn.say:
        events.append(CallEvent(call_id, "turn", at=moment, speaker="assistant",
                                text=" ".join(turn.say), node=turn.node, slots=slots))
    return events


def transfer_event(call_id: str, transfer: Transfer, at: datetime | None = None) -> CallEvent:
    """The transfer, with its summary and what the call gathered."""
    return CallEvent(call_id, "transfer", at=at or datetime.now(UTC), queue=transfer.queue,
                     reason=transfer.reason, text=transfer.summary or None,
                     slots=tuple(transfer.context))
