"""A person's rights over their data, by phone number: export (JSON) and erasure.

Everything linked to a number: calls from it (with turns), calls from any caller ID (hidden
ones too) during which that number was given for an appointment, a callback or a ticket,
and the appointments, callback requests and tickets giving it. Transcripts hold no number
to search: they are masked before they are stored. Export gives a JSON-ready dict (ISO 8601
times, UTC; audio is not exported, only whether a turn had some); erasure deletes those rows
and reports counts.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from ivr.storage import calls
from ivr.storage.appointments import record_of as appointment_record
from ivr.storage.callbacks import record_of as callback_record
from ivr.storage.models import Appointment, Call, CallbackRequest, Ticket, Turn
from ivr.storage.phone import normalise_phone
from ivr.storage.tickets import record_of as ticket_record
from ivr.storage.types import utc_now


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


Linked = type[Appointment] | type[CallbackRequest] | type[Ticket]


def _linked(model: Linked, number: str, call_ids: Any) -> ColumnElement[bool]:
    """Rows giving the number, or made during one of its calls."""
    return or_(model.phone == number, model.call_id.in_(call_ids))


def subject_calls(session: Session, number: str) -> list[str]:
    """Ids of the calls from the number, or where it was given (oldest first)."""
    given = [select(model.call_id).where(model.phone == number, model.call_id.is_not(None))
             for model in (Appointment, CallbackRequest, Ticket)]
    return list(session.scalars(
        select(Call.id).where(or_(Call.caller_number == number,
                                  *(Call.id.in_(query) for query in given)))
        .order_by(Call.started_at)
    ).all())


def export_phone(session: Session, phone: str) -> dict[str, Any]:
    """Every stored row linked to the number, as plain JSON-ready data."""
    number = normalise_phone(phone)
    call_ids = subject_calls(session, number)
    linked = list(call_ids)
    data = {
        "phone": number,
        "exported_at": utc_now(),
        "calls": [asdict(calls.get_call(session, cid)) for cid in call_ids],
        "appointments": [asdict(appointment_record(r)) for r in session.scalars(
            select(Appointment).where(_linked(Appointment, number, linked))
            .order_by(Appointment.id))],
        "callbacks": [asdict(callback_record(r)) for r in session.scalars(
            select(CallbackRequest).where(_linked(CallbackRequest, number, linked))
            .order_by(CallbackRequest.id))],
        "tickets": [asdict(ticket_record(r)) for r in session.scalars(
            select(Ticket).where(_linked(Ticket, number, linked)).order_by(Ticket.id))],
    }
    result: dict[str, Any] = _jsonable(data)
    return result


def erase_phone(session: Session, phone: str) -> dict[str, int]:
    """Delete every row linked to the number; returns counts per kind."""
    number = normalise_phone(phone)
    call_ids = subject_calls(session, number)  # before the rows that point at them go
    counts: dict[str, int] = {}
    statements = {
        "turns": delete(Turn).where(Turn.call_id.in_(call_ids)),
        "appointments": delete(Appointment).where(_linked(Appointment, number, call_ids)),
        "callbacks": delete(CallbackRequest).where(_linked(CallbackRequest, number, call_ids)),
        "tickets": delete(Ticket).where(_linked(Ticket, number, call_ids)),
        "calls": delete(Call).where(Call.id.in_(call_ids)),
    }
    for kind, statement in statements.items():
        result = session.execute(statement)
        counts[kind] = int(getattr(result, "rowcount", 0) or 0)
    session.flush()
    return counts
