"""Incident tickets reported by callers, with their reference ("SIG-2026-000123").

The description is masked like a transcript (it comes from speech); the phone number, when
given, is stored apart in its normalised form so the agent can call back.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.privacy.masking import mask_text
from ivr.storage.errors import InvalidValue, NotFound
from ivr.storage.models import TICKET_STATUSES, Call, Ticket
from ivr.storage.phone import normalise_phone
from ivr.storage.records import TicketRecord
from ivr.storage.references import reference
from ivr.storage.types import utc_now

PREFIX = "SIG"
MAX_NOTES = 5000


def record_of(row: Ticket) -> TicketRecord:
    return TicketRecord(
        id=row.id, reference=row.reference, category=row.category,
        description=row.description, location=row.location, phone=row.phone,
        call_id=row.call_id, status=row.status, notes=row.notes, created_at=row.created_at,
        updated_at=row.updated_at, updated_by=row.updated_by,
    )


def open_ticket(
    session: Session,
    *,
    category: str,
    description: str,
    location: str | None = None,
    phone: str | None = None,
    call_id: str | None = None,
) -> TicketRecord:
    """Create an open ticket and give it the next reference of the current year."""
    category = category.strip()
    if not 1 <= len(category) <= 64:
        raise InvalidValue("category must be 1 to 64 characters")
    if not description.strip():
        raise InvalidValue("description must not be empty")
    if call_id is not None and session.get(Call, call_id) is None:
        raise NotFound(f"no call {call_id}")
    now = utc_now()
    row = Ticket(
        reference=reference(session, PREFIX, now.year), category=category,
        description=mask_text(description.strip()),
        location=None if location is None else mask_text(location.strip()),
        phone=None if phone is None else normalise_phone(phone), call_id=call_id,
        status="open", notes="", created_at=now, updated_at=now, updated_by=None,
    )
    session.add(row)
    session.flush()
    return record_of(row)


def _ticket(session: Session, ticket_id: int) -> Ticket:
    row = session.get(Ticket, ticket_id)
    if row is None:
        raise NotFound(f"no ticket {ticket_id}")
    return row


def update_ticket(
    session: Session,
    ticket_id: int,
    *,
    by: str,
    status: str | None = None,
    notes: str | None = None,
) -> TicketRecord:
    """Change a ticket's status and/or notes (notes replace the old ones)."""
    row = _ticket(session, ticket_id)
    if status is not None:
        if status not in TICKET_STATUSES:
            raise InvalidValue(f"status must be one of {TICKET_STATUSES}")
        row.status = status
    if notes is not None:
        if len(notes) > MAX_NOTES:
            raise InvalidValue(f"notes are limited to {MAX_NOTES} characters")
        row.notes = notes
    row.updated_at = utc_now()
    row.updated_by = by
    session.flush()
    return record_of(row)


def get_ticket(session: Session, ticket_id: int) -> TicketRecord:
    return record_of(_ticket(session, ticket_id))


def find_by_reference(session: Session, ref: str) -> TicketRecord:
    row = session.scalar(select(Ticket).where(Ticket.reference == ref.strip().upper()))
    if row is None:
        raise NotFound(f"no ticket {ref}")
    return record_of(row)


def list_tickets(session: Session, *, status: str | None = None) -> list[TicketRecord]:
    """Newest first, optionally only one status."""
    query = select(Ticket).order_by(Ticket.created_at.desc(), Ticket.id.desc())
    if status is not None:
        if status not in TICKET_STATUSES:
            raise InvalidValue(f"status must be one of {TICKET_STATUSES}")
        query = query.where(Ticket.status == status)
    return [record_of(row) for row in session.scalars(query)]
