"""The satisfaction question: asked once per call, to a sample of the calls chosen from a hash
of the call id (the same call id is always chosen the same way, so tests are reproducible),
never to a call that gave up.

Answers: on the "1-5" scale a key 1 to 5 or the number said; on "yes_no" oui/non or keys
1/2 (stored as 1/0). The answer is kept in the call state and given to
`Services.record_feedback`; a silence or an answer that fits nothing simply moves on.
"""

from __future__ import annotations

import hashlib
from contextlib import suppress

from dialogs.context import Context, Fail, Outcome
from dialogs.errors import ServiceError
from dialogs.events import CallerInput, Digits, Utterance
from dialogs.flow_model import FeedbackNode
from dialogs.state import FeedbackAnswer


def sampled(call_id: str, rate: float) -> bool:
    """Whether the call is among the `rate` share asked (deterministic in the call id)."""
    if rate >= 1:
        return True
    digest = hashlib.sha256(call_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def enter(ctx: Context, node: FeedbackNode) -> str | None:
    """Ask the question; or the node to go to instead when this call is not asked."""
    state = ctx.state
    if state.feedback_asked or state.gave_up or not sampled(state.call_id, node.sample_rate):
        return node.next
    state.feedback_asked = True
    prompt(ctx, node)
    return None


def prompt(ctx: Context, node: FeedbackNode) -> None:
    ctx.say(node.question, ctx.here("question"))
    ctx.listen(list(node.hints))


def read(ctx: Context, node: FeedbackNode, caller: CallerInput) -> FeedbackAnswer | None:
    """The answer, or None when it does not fit the scale."""
    if isinstance(caller, Digits):
        key, comment = caller.digits.rstrip("#"), ""
        if node.scale == "yes_no":
            key = {"1": "yes", "2": "no"}.get(key, "")
    elif isinstance(caller, Utterance):
        comment = ctx.state.last_text
        kind = "yes_no" if node.scale == "yes_no" else "number"
        key = ctx.extract(kind, comment) or ""
    else:
        return None
    if node.scale == "yes_no":
        if key not in ("yes", "no"):
            return None
        return FeedbackAnswer(scale="yes_no", score=int(key == "yes"), comment=comment)
    if key not in ("1", "2", "3", "4", "5"):
        return None
    return FeedbackAnswer(scale="1-5", score=int(key), comment=comment)


def handle(ctx: Context, node: FeedbackNode, caller: CallerInput) -> Outcome:
    answer = read(ctx, node, caller)
    if answer is None:
        return Fail("no_match")
    state = ctx.state
    state.feedback = answer
    with suppress(ServiceError):  # the answer stays in the call state; the caller is not bothered
        ctx.services.record_feedback(state.call_id, answer)
    ctx.say(node.thanks, ctx.here("thanks"))
    low = answer.score <= 2 if answer.scale == "1-5" else answer.score == 0
    return node.if_low if low and node.if_low else node.next
