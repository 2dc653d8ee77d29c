"""Analytics queries on real calls, on SQLite and PostgreSQL: local days, outcomes, transfer
reasons, intents, phrases not understood, durations, period bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ivr.storage import analytics, calls
from ivr.storage.database import Database
from ivr.storage.errors import InvalidValue

PARIS = "Europe/Paris"
SINCE = datetime(2026, 5, 10, 22, 0, tzinfo=UTC)  # 11 May 00:00 in Paris (summer time)
UNTIL = datetime(2026, 5, 13, 22, 0, tzinfo=UTC)  # 14 May 00:00 in Paris


def _call(database: Database, call_id: str, started: datetime, minutes: float,
          outcome: str | None, turns: list[tuple[str, str, str | None]],
          reason: str | None = None) -> None:
    with database.transaction() as s:
        calls.start_call(s, call_id, None, started_at=started)
        for speaker, text, intent in turns:
            calls.add_turn(s, call_id, speaker, text, intent=intent, at=started)
        if outcome is not None:
            calls.end_call(s, call_id, outcome, ended_at=started + timedelta(minutes=minutes),
                           transfer_queue="accueil" if outcome == "transferred" else None,
                           transfer_reason=reason)


@pytest.fixture
def filled(database: Database) -> Database:
    # 11 May: two calls, one resolved (21:30 UTC on the 11th is 23:30 in Paris: the 11th)
    _call(database, "a", datetime(2026, 5, 11, 8, 0, tzinfo=UTC), 2, "resolved",
          [("assistant", "Bonjour", None), ("caller", "quels sont vos horaires", "horaires"),
           ("caller", "euh le truc des poubelles", None)])
    _call(database, "b", datetime(2026, 5, 11, 21, 30, tzinfo=UTC), 4, "transferred",
          [("caller", "je veux parler au maire", "agent"),
           ("caller", "euh le truc des poubelles", None)], reason="demande un conseiller")
    # 12 May (22:30 UTC on the 11th is 00:30 on the 12th in Paris)
    _call(database, "c", datetime(2026, 5, 11, 22, 30, tzinfo=UTC), 6, "transferred",
          [("caller", "horaires", "horaires"),
           ("caller", "mon numéro est le 06 12 34 56 78", None)],
          reason="demande un conseiller")
    _call(database, "d", datetime(2026, 5, 12, 9, 0, tzinfo=UTC), 0, None,
          [("caller", "allô", None)])  # still in progress: counted, no outcome
    # outside the period
    _call(database, "old", datetime(2026, 5, 10, 21, 59, tzinfo=UTC), 1, "transferred",
          [("caller", "horaires", "horaires")], reason="hors période")
    return database


def test_overview_counts_local_days_outcomes_and_durations(filled: Database) -> None:
    with filled.transaction() as s:
        result = analytics.overview(s, SINCE, UNTIL, PARIS)
    assert [(d.day, d.calls, d.resolved) for d in result.days] == [
        (date(2026, 5, 11), 2, 1), (date(2026, 5, 12), 2, 0), (date(2026, 5, 13), 0, 0)]
    assert result.total == 4 and result.ended == 3 and result.resolved == 1
    assert result.outcomes == {"resolved": 1, "transferred": 2}
    assert result.resolved_share == pytest.approx(1 / 3)
    assert result.average_duration_s == pytest.approx((2 + 4 + 6) * 60 / 3)


def test_reasons_intents_and_phrases_not_understood(filled: Database) -> None:
    with filled.transaction() as s:
        reasons = analytics.transfer_reasons(s, SINCE, UNTIL)
        intents = analytics.top_intents(s, SINCE, UNTIL)
        phrases = analytics.not_understood(s, SINCE, UNTIL)
    assert reasons == [("demande un conseiller", 2)]
    assert intents == [("horaires", 2), ("agent", 1)]
    # masked like every stored transcript; assistant turns never count
    assert phrases == [("euh le truc des poubelles", 2), ("allô", 1),
                       ("mon numéro est le [téléphone]", 1)]


def test_an_empty_period_and_bad_bounds(database: Database) -> None:
    with database.transaction() as s:
        empty = analytics.overview(s, SINCE, UNTIL, PARIS)
        assert empty.total == 0 and empty.resolved_share is None
        assert empty.average_duration_s is None and len(empty.days) == 3
        assert analytics.not_understood(s, SINCE, UNTIL) == []
        with pytest.raises(InvalidValue):
            analytics.overview(s, UNTIL, SINCE, PARIS)
        with pytest.raises(InvalidValue):
            analytics.top_intents(s, SINCE.replace(tzinfo=None), UNTIL)
