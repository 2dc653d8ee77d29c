"""Form nodes: ask each slot in turn, check the values (dates, free appointment times, phone
numbers), read them back for a yes/no confirmation (keypad 1/2), then submit them through
the `Services` boundary and say the reference.

Slot values: dates "YYYY-MM-DD", times "HH:MM", phone numbers as 10 digits ("0612345678").
"""

from __future__ import annotations

from datetime import date, timedelta

from dialogs.context import Context, Fail, Outcome
from dialogs.errors import ServiceError, SlotTaken
from dialogs.events import CallerInput, Digits, Utterance
from dialogs.flow_model import FormNode, FormSlot
from dialogs.speak import say_date, say_time

CONFIRM = "!confirm"
_ORDINALS = {"premier": 0, "première": 0, "deuxième": 1, "second": 1, "seconde": 1,
             "troisième": 2}
_DIGIT_ONLY = "Je ne peux pas lire cette réponse sur le clavier, dites-la à voix haute."


def enter(ctx: Context, node: FormNode) -> None:
    """Start the form: slots heard in this very turn are kept (and checked), others asked."""
    state = ctx.state
    state.form_denials = 0
    state.proposed = []
    heard_now = dict(ctx.heard.slots) if ctx.heard is not None else {}
    for slot in node.slots:
        if slot.name in heard_now:
            state.slots[slot.name] = heard_now[slot.name]
        else:
            state.slots.pop(slot.name, None)
    ctx.say(node.intro)
    for slot in node.slots:
        value = state.slots.pop(slot.name, None)
        if value is None:
            continue
        if slot.kind == "phone":
            value = _phone_digits(value)
        problem = _check(ctx, node, slot, value)
        if problem is not None:
            ctx.say(problem.message)
            prompt(ctx, node, "" if state.proposed else None)
            return
        state.slots[slot.name] = value
    prompt(ctx, node)


def prompt(ctx: Context, node: FormNode, text: str | None = None) -> None:
    """Ask for the first missing slot, or for confirmation when all are filled."""
    state = ctx.state
    for slot in node.slots:
        if slot.name not in state.slots:
            state.form_slot = slot.name
            ctx.say(slot.prompt if text is None else text)
            ctx.listen(list(slot.hints), max_digits=10 if slot.kind == "phone" else 1)
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
    problem = _check(ctx, node, slot, value)
    if isinstance(problem, Fail):
        return problem
    if problem is not None:
        ctx.say(problem.message)
        prompt(ctx, node, "" if state.proposed else None)
        return None
    state.slots[slot.name] = value
    if isinstance(caller, Utterance):
        _also_heard(ctx, node, caller.text)
    prompt(ctx, node)
    return None


def _also_heard(ctx: Context, node: FormNode, text: str) -> None:
    """Keep a date or time said along with another answer ('mardi à dix heures')."""
    for slot in node.slots:
        if slot.name in ctx.state.slots or slot.kind not in ("date", "time"):
            continue
        value = ctx.extract(slot.kind, text)
        if value is None:
            continue
        if _check(ctx, node, slot, value) is None:
            ctx.state.slots[slot.name] = value
        else:
            return


class _Retry:
    """A value that is fine as an answer but cannot be used: say why and ask again."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _current(node: FormNode, name: str | None) -> FormSlot | None:
    return next((slot for slot in node.slots if slot.name == name), None)


def _read(ctx: Context, slot: FormSlot, caller: CallerInput) -> str | Fail:
    state = ctx.state
    if isinstance(caller, Digits):
        digits = caller.digits.rstrip("#")
        if state.proposed and digits.isdigit() and 1 <= int(digits) <= len(state.proposed):
            return state.proposed[int(digits) - 1]
        if slot.kind in ("phone", "number") and digits.isdigit():
            return _phone_digits(digits) if slot.kind == "phone" else digits
        return Fail("no_match", _DIGIT_ONLY)
    assert isinstance(caller, Utterance)
    if state.proposed:
        for word, index in _ORDINALS.items():
            if word in caller.text.split() and index < len(state.proposed):
                return state.proposed[index]
    value = ctx.extract(slot.kind, caller.text)
    if value is None:
        return Fail("no_match")
    if slot.kind == "phone":
        value = _phone_digits(value)
    return value


def _phone_digits(value: str) -> str:
    """'0612345678' from '06 12 34 56 78' or '+33 6 12 34 56 78'."""
    digits = "".join(char for char in value if char.isdigit())
    if digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def _check(ctx: Context, node: FormNode, slot: FormSlot, value: str) -> Fail | _Retry | None:
    """None when `value` is fine; a failure, or a reason to ask again without failure."""
    if slot.kind == "phone":
        if len(value) != 10 or not value.isdigit() or not value.startswith("0"):
            return Fail("no_match", "Ce numéro ne semble pas complet : il faut dix chiffres.")
        return None
    if slot.kind == "date":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return Fail("no_match")
        if slot.check in ("future_date", "open_date") and day < ctx.now.date():
            return Fail("no_match", "Cette date est déjà passée.")
        service = node.service
        if slot.check == "open_date" and service and not ctx.services.free_slots(
            service, day, ctx.now
        ):
            return _Retry(_no_slot_that_day(ctx, service, day))
    if slot.check == "free_time" and node.service is not None:
        day = date.fromisoformat(ctx.state.slots["date"])
        free = ctx.services.free_slots(node.service, day, ctx.now)
        if value in free:
            ctx.state.proposed = []
            return None
        if not free:
            ctx.state.slots.pop("date", None)
            return _Retry(_no_slot_that_day(ctx, node.service, day))
        ctx.state.proposed = _nearest(free, value)
        return _Retry(
            f"Le créneau de {say_time(value)} n'est pas disponible le {_day(ctx, day)}. "
            "Je peux vous proposer {proposed}. Dites l'heure qui vous convient, ou tapez "
            f"{_keys(len(ctx.state.proposed))}."
        )
    return None


def _keys(count: int) -> str:
    keys = [str(i) for i in range(1, count + 1)]
    return keys[0] if count == 1 else ", ".join(keys[:-1]) + " ou " + keys[-1]


def _nearest(free: list[str], wanted: str) -> list[str]:
    def distance(item: str) -> int:
        h1, m1 = (int(p) for p in item.split(":"))
        h2, m2 = (int(p) for p in wanted.split(":"))
        return abs((h1 * 60 + m1) - (h2 * 60 + m2))

    return sorted(sorted(free, key=distance)[:3])


def _no_slot_that_day(ctx: Context, service: str, day: date) -> str:
    for offset in range(1, 31):
        later = day + timedelta(days=offset)
        if ctx.services.free_slots(service, later, ctx.now):
            return (f"Il n'y a pas de rendez-vous libre le {_day(ctx, day)}. "
                    f"Le premier jour disponible est le {_day(ctx, later)}.")
    return f"Il n'y a pas de rendez-vous libre le {_day(ctx, day)}."


def _day(ctx: Context, day: date) -> str:
    return say_date(day, ctx.now.date())


def _confirm(ctx: Context, node: FormNode, caller: CallerInput) -> Outcome:
    state = ctx.state
    if isinstance(caller, Digits):
        reply = {"1": "yes", "2": "no"}.get(caller.digits[:1])
    else:
        assert isinstance(caller, Utterance)
        reply = ctx.extract("yes_no", caller.text)
    if reply not in ("yes", "no"):
        return Fail("no_match", "Répondez par oui ou par non, s'il vous plaît.")
    if reply == "yes":
        return _submit(ctx, node)
    state.form_denials += 1
    if state.form_denials >= 2:
        return node.on_failure or ctx.loaded.flow.fallback.escalate
    for slot in node.slots:
        state.slots.pop(slot.name, None)
    ctx.say("D'accord, reprenons.")
    prompt(ctx, node)
    return None


def _submit(ctx: Context, node: FormNode) -> Outcome:
    state, services, slots = ctx.state, ctx.services, ctx.state.slots
    hours = ctx.loaded.hours
    default = next(iter(hours.services)) if hours and hours.services else ""
    service = node.service or state.service or default
    try:
        if node.submit == "book":
            reference = services.book(
                service, date.fromisoformat(slots["date"]), slots["time"], slots["name"],
                slots["phone"],
            )
        elif node.submit == "ticket":
            fields = {slot.name: slots[slot.name] for slot in node.slots}
            reference = services.create_ticket(service, fields)
        elif node.submit == "callback":
            reason = state.reason or "demande de rappel"
            reference = services.request_callback(service, slots["phone"], reason)
        else:
            reference = ""
    except SlotTaken:
        slots.pop("time", None)
        ctx.say("Désolé, ce créneau vient d'être pris.")
        prompt(ctx, node)
        return None
    except ServiceError:
        ctx.say("Désolé, je n'ai pas pu enregistrer votre demande.")
        return node.on_failure or ctx.loaded.flow.fallback.escalate
    if reference:
        slots["reference"] = reference
    state.form_slot = None
    ctx.say(node.done)
    return node.next
