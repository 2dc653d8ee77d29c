"""What callers said that was not understood, for the learning page of the back office.

`missed_phrases(session, since, until, threshold)` reads the caller turns of the calls started
in [since, until) (aware datetimes) whose intent is NULL or whose confidence (0-1) is below
`threshold`, and returns (text, mean confidence or None, times said) per distinct masked text,
most said first. Markers the session writes for non-speech ("[silence]", "[touches 1]",
"[inaudible]") and empty texts are left out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ivr.storage.errors import InvalidValue
from ivr.storage.models import Call, Turn


def missed_phrases(
    session: Session, since: datetime, until: datetime, threshold: float, limit: int = 2000
) -> list[tuple[str, float | None, int]]:
    """(text, mean confidence, count) of the caller phrases not or barely understood."""
    if since.tzinfo is None or until.tzinfo is None or since >= until:
        raise InvalidValue("the period needs aware datetimes, since before until")
    if not 0.0 <= threshold <= 1.0:
        raise InvalidValue("the threshold is between 0 and 1")
    count = func.count(Turn.id)
    rows = session.execute(
        select(Turn.text, func.avg(Turn.confidence), count)
        .join(Call, Call.id == Turn.call_id)
        .where(Turn.speaker == "caller", Turn.text != "", ~Turn.text.startswith("["),
               or_(Turn.intent.is_(None), Turn.confidence < threshold),
               Call.started_at >= since, Call.started_at < until)
        .group_by(Turn.text).order_by(count.desc(), Turn.text).limit(limit)
    ).all()
    return [(str(text), None if mean is None else float(mean), int(n))
            for text, mean, n in rows]
