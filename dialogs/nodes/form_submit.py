"""Submitting a confirmed form through the `Services` boundary: book an appointment, file an
incident ticket or the caller's message (with the transcript), or request a callback, then
say the reference."""

from __future__ import annotations

from datetime import date

from dialogs.context import Context
from dialogs.errors import ServiceError, SlotTaken
from dialogs.flow_model import FormNode
from dialogs.transcript import transcript_lines


def submit(ctx: Context, node: FormNode) -> str | None:
    """The next node; None when the time slot was taken meanwhile (it must be asked again)."""
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
        elif node.submit in ("ticket", "message"):
            fields = {slot.name: slots[slot.name] for slot in node.slots}
            if node.submit == "ticket":
                reference = services.create_ticket(service, fields, call_id=state.call_id)
            else:
                reference = services.create_ticket(
                    message_service(ctx, node), fields, kind="message", call_id=state.call_id,
                    transcript=transcript_lines(state),
                )
        elif node.submit == "callback":
            reason = state.reason or "demande de rappel"
            reference = services.request_callback(service, slots["phone"], reason)
        else:
            reference = ""
    except SlotTaken:
        slots.pop("time", None)
        ctx.say("Désolé, ce créneau vient d'être pris.")
        return None
    except ServiceError:
        return unavailable(ctx, node)
    if reference:
        slots["reference"] = reference
    state.form_slot = None
    ctx.say(node.done, ctx.here("done"))
    return node.next


def unavailable(ctx: Context, node: FormNode) -> str:
    """The town hall's system failed: apologise and go to the form's failure node."""
    ctx.say("Désolé, je n'ai pas pu enregistrer votre demande.")
    return node.on_failure or ctx.loaded.flow.fallback.escalate


def message_service(ctx: Context, node: FormNode) -> str:
    """Who gets a caller's message: the service named (slot 'service'), else the service the
    call was about, else the form's service, else the first service."""
    hours = ctx.loaded.hours
    known = list(hours.services) if hours else []
    for candidate in (ctx.state.slots.get("service"), ctx.state.service, node.service):
        if candidate and (candidate in known or not known):
            return candidate
    return known[0] if known else ""
