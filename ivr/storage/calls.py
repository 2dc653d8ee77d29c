"""Calls and their turns: what the call session records, what agents and admins read.

Text goes through `ivr.privacy.masking.mask_text` here, before it is stored, so no caller of
this module can store an unmasked transcript. Audio given with a turn is kept only when the
`store_audio` option is on. Times are aware datetimes (UTC in the database).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ivr.privacy.masking import mask_text
from ivr.storage import options
from ivr.storage.errors import Conflict, InvalidValue, NotFound
from ivr.storage.models import OUTCOMES, SPEAKERS, Call, Turn
from ivr.storage.phone import optional_phone
from ivr.storage.records import CallRecord, TurnRecord
from ivr.storage.savepoint import savepoint
from ivr.storage.types import utc_now
from ivr.storage.write_keys import checked_key


def _turn_record(row: Turn) -> TurnRecord:
    return TurnRecord(
        seq=row.seq, at=row.at, speaker=row.speaker, text=row.text, intent=row.intent,
        confidence=row.confidence, has_audio=row.audio is not None,
        intent_confidence=row.intent_confidence,
    )


def _record(row: Call, with_turns: bool = False) -> CallRecord:
    return CallRecord(
        id=row.id, caller_number=row.caller_number, started_at=row.started_at,
        ended_at=row.ended_at, outcome=row.outcome, transfer_queue=row.transfer_queue,
        transfer_reason=row.transfer_reason, summary=row.summary,
        turns=tuple(_turn_record(t) for t in row.turns) if with_turns else (),
        satisfaction_scale=row.satisfaction_scale, satisfaction_score=row.satisfaction_score,
        transfer_agent=row.transfer_agent,
    )


def start_call(
    session: Session, call_id: str, caller_number: str | None, started_at: datetime | None = None
) -> CallRecord:
    """Record a new call (caller id normalised; "anonymous" and empty become None)."""
    if not call_id or len(call_id) > 64:
        raise InvalidValue("call id must be 1 to 64 characters")
    row = Call(id=call_id, caller_number=optional_phone(caller_number),
               started_at=started_at or utc_now())
    with savepoint(session, Conflict(f"call {call_id} already recorded")):
        session.add(row)
    return _record(row)


def start_call_again(
    session: Session, call_id: str, caller_number: str | None, started_at: datetime
) -> CallRecord:
    """`start_call` tried again after a first try that failed without saying whether its
    COMMIT went through: a call already stored under this id with this very start time and
    number is that first try, and is returned; `Conflict` if another call holds the id."""
    row = session.get(Call, call_id)
    if row is None:
        return start_call(session, call_id, caller_number, started_at)
    if row.started_at == started_at and row.caller_number == optional_phone(caller_number):
        return _record(row)
    raise Conflict(f"call {call_id} already recorded")


def _call(session: Session, call_id: str) -> Call:
    row = session.get(Call, call_id)
    if row is None:
        raise NotFound(f"no call {call_id}")
    return row


def add_turn(
    session: Session,
    call_id: str,
    speaker: str,
    text: str,
    *,
    intent: str | None = None,
    confidence: float | None = None,
    intent_confidence: float | None = None,
    audio: bytes | None = None,
    at: datetime | None = None,
    key: str | None = None,
) -> TurnRecord:
    """Append a turn; the text is masked, the audio dropped unless storing audio is on.
    `confidence` is the recogniser's (ASR), `intent_confidence` the understander's (NLU).

    `key` (at most 36 characters, unique across turns) makes the write idempotent: when a
    turn with this key is already stored, nothing is added and that turn is returned (the
    call recorder's retry of a write whose COMMIT went through but whose answer was lost);
    `Conflict` if that turn belongs to another call."""
    if speaker not in SPEAKERS:
        raise InvalidValue(f"speaker must be one of {SPEAKERS}")
    for value in (confidence, intent_confidence):
        if value is not None and not 0.0 <= value <= 1.0:
            raise InvalidValue("confidence must be between 0 and 1")
    # Lock the call's row (PostgreSQL: SELECT ... FOR UPDATE; SQLite has one writer anyway)
    # so turns added at the same time to one call get distinct, consecutive numbers.
    if session.get(Call, call_id, with_for_update=True) is None:
        raise NotFound(f"no call {call_id}")
    if key is not None:
        stored = session.scalar(select(Turn).where(Turn.write_key == checked_key(key, "turn")))
        if stored is not None:
            if stored.call_id != call_id:
                raise Conflict(f"turn key {key} belongs to another call")
            return _turn_record(stored)
    last = session.scalar(select(func.max(Turn.seq)).where(Turn.call_id == call_id))
    keep_audio = audio is not None and options.store_audio(session)
    row = Turn(
        call_id=call_id, seq=(last or 0) + 1, at=at or utc_now(), speaker=speaker,
        text=mask_text(text), intent=intent, confidence=confidence,
        intent_confidence=intent_confidence, audio=audio if keep_audio else None,
        write_key=key,
    )
    session.add(row)
    session.flush()
    return _turn_record(row)


def end_call(
    session: Session,
    call_id: str,
    outcome: str,
    *,
    summary: str | None = None,
    transfer_queue: str | None = None,
    transfer_reason: str | None = None,
    ended_at: datetime | None = None,
) -> CallRecord:
    """Close a call with its outcome (resolved, transferred, callback, abandoned)."""
    if outcome not in OUTCOMES:
        raise InvalidValue(f"outcome must be one of {OUTCOMES}")
    if outcome == "transferred" and not transfer_queue:
        raise InvalidValue("a transferred call needs its queue")
    row = _call(session, call_id)
    row.outcome = outcome
    row.ended_at = ended_at or utc_now()
    row.summary = None if summary is None else mask_text(summary)
    row.transfer_queue = transfer_queue
    row.transfer_reason = None if transfer_reason is None else mask_text(transfer_reason)
    session.flush()
    return _record(row)


def record_transfer_agent(session: Session, call_id: str, agent: str) -> CallRecord:
    """Keep which agent's phone answered the transferred call (`NotFound` for no such call).
    Several workers may each report the same answer: setting it again changes nothing."""
    row = _call(session, call_id)
    row.transfer_agent = agent[:32]
    session.flush()
    return _record(row)


SATISFACTION_SCALES = {"1-5": range(1, 6), "yes_no": range(0, 2)}
"""Scales of the satisfaction question and the scores each allows."""


def record_satisfaction(
    session: Session, call_id: str, scale: str, score: int, comment: str = ""
) -> CallRecord:
    """Keep the caller's answer to the satisfaction question with the call (comment masked)."""
    allowed = SATISFACTION_SCALES.get(scale)
    if allowed is None:
        raise InvalidValue(f"satisfaction scale must be one of {sorted(SATISFACTION_SCALES)}")
    if score not in allowed:
        raise InvalidValue(f"score {score} is outside the {scale} scale")
    row = _call(session, call_id)
    row.satisfaction_scale = scale
    row.satisfaction_score = score
    row.satisfaction_comment = mask_text(comment) if comment else None
    session.flush()
    return _record(row)

def close_stale_calls(session: Session, started_before: datetime) -> int:
    """Mark `abandoned` every call still open that started before `started_before`; return
    how many. Calls end on their own within the service's longest call duration, so an open
    call older than that was left behind by a worker that died mid-call (any worker sharing
    the database may run this; it never touches a call that can still be in progress)."""
    result = session.execute(
        update(Call)
        .where(Call.ended_at.is_(None), Call.started_at < started_before)
        .values(outcome="abandoned", ended_at=utc_now())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def get_call(session: Session, call_id: str) -> CallRecord:
    """The call with its turns, in order."""
    return _record(_call(session, call_id), with_turns=True)


def list_calls(
    session: Session, *, since: datetime | None = None, limit: int = 100
) -> list[CallRecord]:
    """Newest calls first, without turns."""
    query = select(Call).order_by(Call.started_at.desc()).limit(limit)
    if since is not None:
        query = query.where(Call.started_at >= since)
    return [_record(row) for row in session.scalars(query)]
