"""Figures for the admins: calls per day, share resolved without an agent, transfer reasons,
top intents, what the assistant did not understand, average call length.

Every query covers the calls started in [since, until) (aware datetimes). Days are local days
in the town hall's time zone (IANA name): the per-day figures group in Python over the calls'
start times, which keeps the queries the same on SQLite and PostgreSQL (their date functions
differ) and costs nothing at a town hall's scale (a few thousand calls a month). Counts by
reason, intent and phrase are SQL GROUP BY queries. Durations are seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ivr.storage.errors import InvalidValue
from ivr.storage.models import Call, Turn


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    """Local day."""
    calls: int
    resolved: int
    """Calls the assistant resolved without an agent."""


@dataclass(frozen=True, slots=True)
class Overview:
    days: tuple[DayCount, ...]
    """Every day of the period, in order, days without calls included."""
    total: int
    ended: int
    """Calls with an outcome."""
    resolved: int
    outcomes: dict[str, int]
    """Outcome -> calls ("resolved", "transferred", "callback", "abandoned")."""
    average_duration_s: float | None
    """Mean length of the ended calls, None without any."""

    @property
    def resolved_share(self) -> float | None:
        """Resolved calls among the ended ones (0..1), None without any."""
        return self.resolved / self.ended if self.ended else None


def _check_period(since: datetime, until: datetime) -> None:
    if since.tzinfo is None or until.tzinfo is None:
        raise InvalidValue("period bounds must carry their time zone")
    if until <= since:
        raise InvalidValue("the period must end after it starts")


def overview(session: Session, since: datetime, until: datetime, timezone: str) -> Overview:
    """Per-day counts, outcomes and mean duration of the calls started in the period."""
    _check_period(since, until)
    zone = ZoneInfo(timezone)
    rows = session.execute(
        select(Call.started_at, Call.ended_at, Call.outcome)
        .where(Call.started_at >= since, Call.started_at < until)
    ).all()
    first, last = since.astimezone(zone).date(), (until - timedelta(microseconds=1)).astimezone(
        zone).date()
    per_day = {first + timedelta(days=n): [0, 0] for n in range((last - first).days + 1)}
    outcomes: dict[str, int] = {}
    durations: list[float] = []
    for started, ended, outcome in rows:
        counts = per_day.setdefault(started.astimezone(zone).date(), [0, 0])
        counts[0] += 1
        if outcome is not None:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            counts[1] += outcome == "resolved"
        if ended is not None:
            durations.append(max(0.0, (ended - started).total_seconds()))
    return Overview(
        days=tuple(DayCount(day, c[0], c[1]) for day, c in sorted(per_day.items())),
        total=len(rows), ended=sum(outcomes.values()), resolved=outcomes.get("resolved", 0),
        outcomes=outcomes,
        average_duration_s=sum(durations) / len(durations) if durations else None,
    )


def transfer_reasons(
    session: Session, since: datetime, until: datetime, limit: int = 10
) -> list[tuple[str, int]]:
    """(reason, transferred calls), most frequent first."""
    _check_period(since, until)
    reason = func.coalesce(Call.transfer_reason, "")
    count = func.count(Call.id)
    rows = session.execute(
        select(reason, count)
        .where(Call.outcome == "transferred", Call.started_at >= since, Call.started_at < until)
        .group_by(reason).order_by(count.desc(), reason).limit(limit)
    ).all()
    return [(text or "(sans motif)", n) for text, n in rows]


def top_intents(
    session: Session, since: datetime, until: datetime, limit: int = 10
) -> list[tuple[str, int]]:
    """(intent, caller turns understood as it), most frequent first."""
    _check_period(since, until)
    count = func.count(Turn.id)
    rows = session.execute(
        select(Turn.intent, count).join(Call, Call.id == Turn.call_id)
        .where(Turn.speaker == "caller", Turn.intent.is_not(None),
               Call.started_at >= since, Call.started_at < until)
        .group_by(Turn.intent).order_by(count.desc(), Turn.intent).limit(limit)
    ).all()
    return [(str(intent), n) for intent, n in rows]


def not_understood(
    session: Session, since: datetime, until: datetime, limit: int = 20
) -> list[tuple[str, int]]:
    """(phrase, times heard) of the caller's words no intent matched, most frequent first
    (the texts are masked transcripts)."""
    _check_period(since, until)
    count = func.count(Turn.id)
    rows = session.execute(
        select(Turn.text, count).join(Call, Call.id == Turn.call_id)
        .where(Turn.speaker == "caller", Turn.intent.is_(None), Turn.text != "",
               Call.started_at >= since, Call.started_at < until)
        .group_by(Turn.text).order_by(count.desc(), Turn.text).limit(limit)
    ).all()
    return [(str(text), n) for text, n in rows]
