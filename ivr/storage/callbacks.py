"""Callback requests: a caller asks to be called back; an agent marks it done.

The reason is masked like a transcript; the number to call is kept apart (normalised).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.privacy.masking import mask_text
from ivr.storage.errors import Conflict, InvalidValue, NotFound
from ivr.storage.models import CALLBACK_STATUSES, Call, CallbackRequest
from ivr.storage.phone import normalise_phone
from ivr.storage.records import CallbackRecord
from ivr.storage.types import utc_now
from ivr.storage.write_keys import checked_key


def record_of(row: CallbackRequest) -> CallbackRecord:
    return CallbackRecord(
        id=row.id, phone=row.phone, name=row.name, reason=row.reason, queue=row.queue,
        call_id=row.call_id, status=row.status, requested_at=row.requested_at,
        done_at=row.done_at, done_by=row.done_by,
    )


def request_callback(
    session: Session,
    *,
    phone: str,
    reason: str,
    name: str | None = None,
    queue: str | None = None,
    call_id: str | None = None,
    key: str | None = None,
) -> CallbackRecord:
    """Record a pending callback request.

    `key` (at most 36 characters, unique across requests) makes the write idempotent: when a
    request with this key is already stored, nothing is added and that request is returned
    (the call's retry of a write whose COMMIT went through but whose answer was lost)."""
    if not reason.strip():
        raise InvalidValue("reason must not be empty")
    if name is not None and len(name) > 200:
        raise InvalidValue("name is limited to 200 characters")
    if call_id is not None and session.get(Call, call_id) is None:
        raise NotFound(f"no call {call_id}")
    if key is not None:
        stored = session.scalar(select(CallbackRequest).where(
            CallbackRequest.write_key == checked_key(key, "request")))
        if stored is not None:
            return record_of(stored)
    row = CallbackRequest(
        phone=normalise_phone(phone), name=name, reason=mask_text(reason.strip()), queue=queue,
        call_id=call_id, status="pending", requested_at=utc_now(), write_key=key,
    )
    session.add(row)
    session.flush()
    return record_of(row)


def mark_done(session: Session, callback_id: int, *, by: str) -> CallbackRecord:
    """Mark a request done by an agent; Conflict if it already was."""
    row = session.get(CallbackRequest, callback_id)
    if row is None:
        raise NotFound(f"no callback request {callback_id}")
    if row.status == "done":
        raise Conflict(f"callback request {callback_id} is already done")
    row.status = "done"
    row.done_at = utc_now()
    row.done_by = by
    session.flush()
    return record_of(row)


def list_callbacks(session: Session, *, status: str | None = None) -> list[CallbackRecord]:
    """Oldest first (the one waiting longest comes first), optionally only one status."""
    query = select(CallbackRequest).order_by(CallbackRequest.requested_at, CallbackRequest.id)
    if status is not None:
        if status not in CALLBACK_STATUSES:
            raise InvalidValue(f"status must be one of {CALLBACK_STATUSES}")
        query = query.where(CallbackRequest.status == status)
    return [record_of(row) for row in session.scalars(query)]
