"""Nodes that run without waiting for the caller: say, answer, announce, transfer, hangup,
goto, condition, set. Each returns the id of the next node, or None when the call has ended.
An answer is followed by the announcements targeted at its topic (each once per call)."""

from __future__ import annotations

from dialogs.conditions import holds
from dialogs.context import Context
from dialogs.flow_model import (
    AnnounceNode,
    AnswerNode,
    ConditionNode,
    GotoNode,
    HangupNode,
    SayNode,
    SetNode,
    TransferNode,
)

PassiveNode = (
    SayNode | AnswerNode | AnnounceNode | TransferNode | HangupNode | GotoNode | ConditionNode
    | SetNode
)


def run(ctx: Context, node: PassiveNode) -> str | None:
    """Run one passive node; the next node id, or None when the call ended."""
    if isinstance(node, SayNode):
        ctx.say(node.say, ctx.here("say"))
        return node.next
    if isinstance(node, AnswerNode):
        return _answer(ctx, node)
    if isinstance(node, AnnounceNode):
        ctx.announce(node.topic, node.which)
        return node.next
    if isinstance(node, TransferNode):
        return _transfer(ctx, node)
    if isinstance(node, HangupNode):
        ctx.say(node.say, ctx.here("say"))
        ctx.hangup(node.reason or "fin de l'appel")
        return None
    if isinstance(node, GotoNode):
        return node.goto
    if isinstance(node, ConditionNode):
        state = ctx.state
        for branch in node.branches:
            if holds(branch.when, ctx.now, ctx.loaded.hours, state.slots, state.counters):
                return branch.goto
        return node.otherwise
    for name, value in node.set.items():
        ctx.state.slots[name] = ctx.render(value)
    for name in node.increment:
        ctx.state.counters[name] = ctx.state.counters.get(name, 0) + 1
    for name in node.clear:
        ctx.state.slots.pop(name, None)
    return node.next


def _answer(ctx: Context, node: AnswerNode) -> str:
    knowledge = ctx.loaded.knowledge
    assert knowledge is not None, "checked when the flow was loaded"
    entry = node.entry or knowledge.best_entry(node.topic or "", ctx.state.last_text)
    if entry is not None:
        ctx.say(knowledge.entries[entry].answer, f"kb.{entry}")
        ctx.announce(knowledge.entries[entry].topic)
    return node.next


def _transfer(ctx: Context, node: TransferNode) -> str | None:
    state = ctx.state
    state.service = node.queue
    state.reason = ctx.render(node.reason)
    hours = ctx.loaded.hours
    if node.if_closed and hours is not None and not hours.is_open(node.queue, ctx.now):
        if node.closed_say is not None:
            ctx.say(node.closed_say, ctx.here("closed_say"))
        else:
            why = hours.closed_reason(node.queue, ctx.now.date())
            label = ctx.service_label(node.queue)
            closed = f"{label[:1].upper()}{label[1:]} est fermé en ce moment"
            ctx.say(f"{closed} ({why})." if why else f"{closed}.")
            ctx.say(hours.describe(node.queue))
        return node.if_closed
    if node.say is not None:
        ctx.say(node.say, ctx.here("say"))
    else:
        ctx.say(f"Je vous mets en relation avec {ctx.service_label(node.queue)}.")
    ctx.transfer(node.queue, state.reason)
    return None
