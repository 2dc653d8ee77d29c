"""Recording each turn of a call in its transcript, and the one-line JSON view of a turn used
by the simulator (`ivr chat --jsonl`) and the conversation tests:
`{"node", "intent", "slots", "say", "action", "transfer"}`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from dialogs.events import Action, CallerInput, Digits, Hangup, Listen, Say, Transfer, Utterance
from dialogs.state import ActionKind, CallState, InputKind, TransferInfo, Turn
from dialogs.understanding import Understanding


def record(
    state: CallState,
    caller: CallerInput | None,
    heard: Understanding | None,
    actions: Sequence[Action],
    now: datetime,
) -> Turn:
    """Append the turn to `state.transcript` and return it."""
    kind: InputKind = "start"
    text = digits = None
    confidence = None
    if isinstance(caller, Utterance) and caller.text.strip():
        kind, text, confidence = "speech", caller.text, caller.confidence
    elif isinstance(caller, Digits):
        kind, digits = "dtmf", caller.digits
    elif caller is not None:
        kind = "silence"
    action: ActionKind = "listen"
    transfer = None
    for item in actions:
        if isinstance(item, Transfer):
            action, transfer = "transfer", TransferInfo(queue=item.queue, reason=item.reason)
        elif isinstance(item, Hangup):
            action = "hangup"
        elif isinstance(item, Listen):
            action = "listen"
    turn = Turn(
        index=len(state.transcript),
        at=now.isoformat(timespec="seconds"),
        input=kind,
        text=text,
        asr_confidence=confidence,
        digits=digits,
        intent=heard.intent if heard is not None else None,
        intent_confidence=heard.confidence if heard is not None else None,
        node=state.node,
        slots=dict(state.slots),
        say=[item.text for item in actions if isinstance(item, Say)],
        action=action,
        transfer=transfer,
    )
    state.transcript.append(turn)
    return turn


def turn_view(turn: Turn) -> dict[str, Any]:
    """The simulator's JSON object for one turn."""
    return {
        "node": turn.node,
        "intent": turn.intent,
        "slots": dict(turn.slots),
        "say": list(turn.say),
        "action": turn.action,
        "transfer": turn.transfer.model_dump() if turn.transfer is not None else None,
    }
