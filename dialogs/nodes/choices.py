"""Ask and menu nodes: listen for an intent, a spoken yes/no or a keypad key and branch.

A menu announces its keys after its prompt ("Tapez 1 pour ..., 0 pour parler à un
conseiller."). Slots heard along with a matching intent are kept in the call's slots.
"""

from __future__ import annotations

from dialogs.context import Context, Fail, Outcome
from dialogs.events import CallerInput, Digits, Utterance
from dialogs.flow_model import AskNode, Choice, MenuNode

ChoiceNode = AskNode | MenuNode


def choices_of(node: ChoiceNode) -> list[Choice]:
    return node.routes if isinstance(node, AskNode) else node.choices


def keys_announcement(ctx: Context, node: ChoiceNode) -> str:
    """'Tapez 1 pour les horaires, 2 pour ..., ou 0 pour parler à un conseiller.'"""
    parts = [f"{c.dtmf} pour {c.label}" for c in choices_of(node) if c.dtmf and c.label]
    agent = ctx.loaded.flow.handlers.agent
    if agent is not None and agent.dtmf:
        parts.append(f"{agent.dtmf} pour parler à un conseiller")
    if not parts:
        return ""
    if len(parts) == 1:
        return f"Tapez {parts[0]}."
    return "Tapez " + ", ".join(parts[:-1]) + ", ou " + parts[-1] + "."


def prompt(ctx: Context, node: ChoiceNode, text: str | None = None) -> None:
    """Say the question (or `text` instead) and listen."""
    if text is None:
        ctx.say(node.prompt, ctx.here("prompt"))
    else:
        ctx.say(text)
    if isinstance(node, MenuNode) and node.announce_keys:
        ctx.say(keys_announcement(ctx, node), ctx.here("keys"))
    ctx.listen(list(node.hints))


def reprompt(ctx: Context, node: ChoiceNode, failures: int) -> None:
    text = node.reprompts[min(failures, len(node.reprompts)) - 1] if node.reprompts else None
    prompt(ctx, node, text)


def handle(ctx: Context, node: ChoiceNode, caller: CallerInput) -> Outcome:
    choices = choices_of(node)
    if isinstance(caller, Digits):
        for choice in choices:
            if choice.dtmf is not None and caller.digits.rstrip("#") == choice.dtmf:
                return choice.goto
        return Fail("no_match", "Cette touche ne correspond à aucun choix.")
    assert isinstance(caller, Utterance)
    heard = ctx.heard
    if heard is not None and heard.intent is not None:
        inherited: list[Choice] = []
        if node.inherit is not None:
            parent = ctx.loaded.flow.nodes[node.inherit]
            if isinstance(parent, AskNode | MenuNode):
                inherited = choices_of(parent)
        for choice in [*choices, *inherited]:
            if choice.intent == heard.intent:
                ctx.state.slots.update(heard.slots)
                return choice.goto
    if any(choice.reply for choice in choices):
        reply = ctx.extract("yes_no", caller.text)
        for choice in choices:
            if choice.reply is not None and choice.reply == reply:
                return choice.goto
    return Fail("no_match")
