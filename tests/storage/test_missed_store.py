"""The learning page's two lists, on SQLite and PostgreSQL: phrases the understander missed
(no intent, or intent confidence under its threshold) and phrases the recogniser was unsure
of (ASR confidence under a threshold) are separate, whatever the other confidence says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ivr.storage import calls
from ivr.storage.database import Database
from ivr.storage.errors import InvalidValue
from ivr.storage.missed import misheard_phrases, missed_phrases

START = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
TURNS = [  # text, intent, ASR confidence, NLU confidence
    ("bien entendu mal compris", "dechets", 0.95, 0.05),
    ("bien entendu mal compris", "dechets", 0.85, 0.15),
    ("mal entendu bien compris", "horaires", 0.3, 0.9),
    ("pas compris du tout", None, 0.9, None),
    ("trop brouillé pour agir", None, 0.1, None),
    ("tapé dans le chat", "ecole", None, 0.1),
    ("tout va bien", "horaires", 0.9, 0.9),
]


@pytest.fixture
def recorded(database: Database) -> Database:
    with database.transaction() as s:
        calls.start_call(s, "c1", None, started_at=START)
        for text, intent, asr, nlu in TURNS:
            calls.add_turn(s, "c1", "caller", text, intent=intent, confidence=asr,
                           intent_confidence=nlu)
        calls.add_turn(s, "c1", "assistant", "réponse")
    return database


def test_low_intent_confidence_and_low_asr_confidence_are_two_lists(
    recorded: Database
) -> None:
    until = START + timedelta(hours=1)
    with recorded.transaction() as s:
        missed = missed_phrases(s, START, until, 0.23, heard_from=0.2)
        misheard = misheard_phrases(s, START, until, 0.5)
    assert [(t, None if c is None else round(c, 2), n) for t, c, n in missed] == [
        ("bien entendu mal compris", 0.1, 2), ("pas compris du tout", None, 1),
        ("tapé dans le chat", 0.1, 1)]
    assert [(t, round(c or 0, 2), n) for t, c, n in misheard] == [
        ("mal entendu bien compris", 0.3, 1), ("trop brouillé pour agir", 0.1, 1)]


def test_bad_periods_and_thresholds_are_refused(recorded: Database) -> None:
    with recorded.transaction() as s, pytest.raises(InvalidValue):
        misheard_phrases(s, START, START, 0.5)
    with recorded.transaction() as s, pytest.raises(InvalidValue):
        missed_phrases(s, START, START + timedelta(hours=1), 1.5)
