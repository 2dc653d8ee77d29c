"""Form nodes: ask each slot in turn, check the values (see `form_values`), read them back
for a yes/no confirmation (keypad 1/2), then submit them (see `form_submit`).

At the confirmation, "non, à onze heures" corrects the date, time or phone number said and
reads the summary again; a plain "non" starts the form again, a second one escalates.
"""

from __future__ import annotations

from dialogs.context import Context, Fail, Outcome
from dialogs.errors import ServiceError
from dialogs.events import CallerInput, Digits, Utterance
from dialogs.flow_model import FormNode, FormSlot
from dialogs.nodes.form_submit import submit, unavailable
from dialogs.nodes.form_values import ORDINALS, check, phone_digits
from dialogs.phrases import CONFIRM

_DIGIT_ONLY = "Je ne peux pas lire cette réponse sur le clavier, dites-la à voix haute."
_CORRECTABLE = ("date", "time", "phone")


def enter(ctx: Context, node: FormNode) -> str | None:
    """Start the form: slots heard in this very turn are kept (and checked), others asked.
    Returns a node to go to instead when the agenda cannot be read."""
    state = ctx.state
    state.form_denials = 0
    state.proposed = []
    heard_now = dict(ctx.heard.slots) if ctx.heard is not None else {}
    for slot in node.slots:
        if slot.name in heard_now:
            state.slots[slot.name] = heard_now[slot.name]
        else:
            state.slots.pop(slot.name, None)
    ctx.say(node.intro, ctx.here("intro"))
    try:
        for slot in node.slots:
            value = state.slots.pop(slot.name, None)
            if value is None:
                continue
            value = phone_digits(value) if slot.kind == "phone" else value
            problem = check(ctx, node, slot, value)
            if problem is not None:
                ctx.say(problem.message)
                prompt(ctx, node, "" if state.proposed else None)
                return None
            state.slots[slot.name] = value
    except ServiceError:
        return unavailable(ctx, node)
    prompt(ctx, node)
    return None


def prompt(ctx: Context, node: FormNode, text: str | None = None) -> None:
    """Ask for the first missing slot, or for confirmation when all are filled."""
    state = ctx.state
    for slot in node.slots:
        if slot.name not in state.slots:
            state.form_slot = slot.name
            if text is None:
                ctx.say(slot.prompt, ctx.here(slot.name))
            else:
                ctx.say(text)
            ctx.listen(list(slot.hints), max_digits=10 if slot.kind == "phone" else 1,
                       long_answer=slot.kind == "text")
            return
    state.form_slot = CONFIRM
    ctx.say(node.confirm if text is None else text)
    ctx.say("Dites oui ou non, ou tapez 1 pour oui, 2 pour non.")
    ctx.listen(["oui", "non"])


def reprompt(ctx: Context, node: FormNode, failures: int) -> None:
    slot = _current(node, ctx.state.form_slot)
    if slot is not None and slot.reprompts:
        prompt(ctx, node, slot.reprompts[min(failures, len(slot.reprompts)) - 1])
    else:
        prompt(ctx, node)


def handle(ctx: Context, node: FormNode, caller: CallerInput) -> Outcome:
    try:
        return _handle(ctx, node, caller)
    except ServiceError:
        return unavailable(ctx, node)


def _handle(ctx: Context, node: FormNode, caller: CallerInput) -> Outcome:
    state = ctx.state
    if state.form_slot == CONFIRM:
        return _confirm(ctx, node, caller)
    slot = _current(node, state.form_slot)
    if slot is None:  # the flow changed under a resumed call: start the form again
        prompt(ctx, node)
        return None
    value = _read(ctx, slot, caller)
    if isinstance(value, Fail):
        return value
    problem = check(ctx, node, slot, value)
    if isinstance(problem, Fail):
        return problem
    if problem is not None:
        ctx.say(problem.message)
        prompt(ctx, node, "" if state.proposed else None)
        return None
    state.slots[slot.name] = value
    if isinstance(caller, Utterance):
        _also_heard(ctx, node, caller.text, ("date", "time"), replace=False)
    prompt(ctx, node)
    return None


def _also_heard(
    ctx: Context, node: FormNode, text: str, kinds: tuple[str, ...], replace: bool
) -> bool:
    """Take other values of `kinds` said in the same answer ('mardi à dix heures'): missing
    ones, or with `replace` (a correction) different ones too. True when one was taken."""
    slots, taken = ctx.state.slots, False
    for slot in node.slots:
        if slot.kind not in kinds or slot.name == ctx.state.form_slot:
            continue
        if slot.name in slots and not replace:
            continue
        value = ctx.extract(slot.kind, text)
        value = phone_digits(value) if value and slot.kind == "phone" else value
        if value is None or value == slots.get(slot.name):
            continue
        if check(ctx, node, slot, value) is not None:
            break
        slots[slot.name] = value
        taken = True
        if slot.kind == "date":  # a time chosen for the old day may not be free on the new one
            for other in node.slots:
                kept = slots.get(other.name)
                if other.check == "free_time" and kept and check(ctx, node, other, kept):
                    del slots[other.name]
                    ctx.state.proposed = []
    return taken


def _current(node: FormNode, name: str | None) -> FormSlot | None:
    return next((slot for slot in node.slots if slot.name == name), None)


def _read(ctx: Context, slot: FormSlot, caller: CallerInput) -> str | Fail:
    state = ctx.state
    if isinstance(caller, Digits):
        digits = caller.digits.rstrip("#")
        if state.proposed and digits.isdigit() and 1 <= int(digits) <= len(state.proposed):
            return state.proposed[int(digits) - 1]
        if slot.kind in ("phone", "number") and digits.isdigit():
            return phone_digits(digits) if slot.kind == "phone" else digits
        return Fail("no_match", _DIGIT_ONLY)
    assert isinstance(caller, Utterance)
    if state.proposed:
        for word, index in ORDINALS.items():
            if word in caller.text.split() and index < len(state.proposed):
                return state.proposed[index]
    value = ctx.extract(slot.kind, caller.text)
    if value is None:
        return Fail("no_match")
    return phone_digits(value) if slot.kind == "phone" else value


def _confirm(ctx: Context, node: FormNode, caller: CallerInput) -> Outcome:
    state = ctx.state
    if isinstance(caller, Digits):
        reply = {"1": "yes", "2": "no"}.get(caller.digits[:1])
    else:
        assert isinstance(caller, Utterance)
        reply = ctx.extract("yes_no", caller.text)
        if reply != "yes" and _also_heard(ctx, node, caller.text, _CORRECTABLE, replace=True):
            ctx.say("D'accord, je corrige.")
            prompt(ctx, node)
            return None
    if reply not in ("yes", "no"):
        return Fail("no_match", "Répondez par oui ou par non, s'il vous plaît.")
    if reply == "yes":
        target = submit(ctx, node)
        if target is None:
            prompt(ctx, node)
        return target
    state.form_denials += 1
    if state.form_denials >= 2:
        return node.on_failure or ctx.loaded.flow.fallback.escalate
    for slot in node.slots:
        state.slots.pop(slot.name, None)
    ctx.say("D'accord, reprenons.")
    prompt(ctx, node)
    return None
