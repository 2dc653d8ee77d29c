"""What callers said that the assistant got wrong, for the learning page of the back office,
in two separate lists, because the two confidences of a caller turn mean different things:

- `missed_phrases`: what the understander (NLU) did not match to an intent, or matched with
  an intent confidence (`turns.intent_confidence`, 0-1) below `threshold` (the intents
  file's); turns the recogniser was too unsure of for the flow to act on them (`turns.
  confidence` below `heard_from`, the flow's `asr_confidence`) never reached the
  understander and are left out. Remedy: examples for an intent.
- `misheard_phrases`: what the recogniser (ASR) heard with a confidence (`turns.confidence`,
  0-1) below `threshold`, whatever the understander made of it: the text may be wrong.
  Remedy: the line, the microphone, the recogniser's vocabulary; not examples.

Both read the caller turns of the calls started in [since, until) (aware datetimes) and
return (text, mean of that confidence or None, times said) per distinct masked text, most
said first. Markers the session writes for non-speech ("[silence]", "[touches 1]",
"[inaudible]") and empty texts are left out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from ivr.storage.errors import InvalidValue
from ivr.storage.models import Call, Turn

Phrase = tuple[str, float | None, int]
"""(masked text, mean confidence 0-1 or None, times said)."""


def _phrases(session: Session, since: datetime, until: datetime, threshold: float,
             measure: InstrumentedAttribute[float | None], condition: ColumnElement[bool],
             limit: int) -> list[Phrase]:
    if since.tzinfo is None or until.tzinfo is None or since >= until:
        raise InvalidValue("the period needs aware datetimes, since before until")
    if not 0.0 <= threshold <= 1.0:
        raise InvalidValue("the threshold is between 0 and 1")
    count = func.count(Turn.id)
    rows = session.execute(
        select(Turn.text, func.avg(measure), count)
        .join(Call, Call.id == Turn.call_id)
        .where(Turn.speaker == "caller", Turn.text != "", ~Turn.text.startswith("["),
               condition, Call.started_at >= since, Call.started_at < until)
        .group_by(Turn.text).order_by(count.desc(), Turn.text).limit(limit)
    ).all()
    return [(str(text), None if mean is None else float(mean), int(n))
            for text, mean, n in rows]


def missed_phrases(
    session: Session, since: datetime, until: datetime, threshold: float, limit: int = 2000,
    *, heard_from: float = 0.0,
) -> list[Phrase]:
    """The phrases the understander did not match, or matched below `threshold`."""
    reached = or_(Turn.confidence.is_(None), Turn.confidence >= heard_from)
    low = or_(Turn.intent.is_(None), Turn.intent_confidence < threshold)
    return _phrases(session, since, until, threshold, Turn.intent_confidence,
                    reached & low, limit)


def misheard_phrases(
    session: Session, since: datetime, until: datetime, threshold: float, limit: int = 2000
) -> list[Phrase]:
    """The phrases the recogniser heard with a confidence below `threshold`."""
    return _phrases(session, since, until, threshold, Turn.confidence,
                    Turn.confidence < threshold, limit)
