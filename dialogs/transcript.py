"""Recording each turn of a call in its transcript, the one-line JSON view of a turn used
by the simulator (`ivr chat --jsonl`) and the conversation tests:
`{"node", "intent", "slots", "say", "action", "transfer", "pace", "feedback"}`, and the
transcript as text lines ("appelant : ...", "assistant : ...") filed with a caller's message."""

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
        pace=state.pace,
        feedback=_new_feedback(state),
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
        "pace": turn.pace,
        "feedback": turn.feedback,
    }


def _new_feedback(state: CallState) -> int | None:
    """The satisfaction score when it was given in this turn (it is given once)."""
    if state.feedback is None or any(t.feedback is not None for t in state.transcript):
        return None
    return state.feedback.score


def transcript_lines(state: CallState) -> list[str]:
    """The call so far as text: what the caller said or typed, what the assistant said."""
    lines: list[str] = []
    for turn in state.transcript:
        if turn.input == "speech" and turn.text:
            lines.append(f"appelant : {turn.text}")
        elif turn.input == "dtmf" and turn.digits:
            lines.append(f"appelant : (touches {turn.digits})")
        elif turn.input == "silence":
            lines.append("appelant : (silence)")
        lines.extend(f"assistant : {text}" for text in turn.say)
    return lines
