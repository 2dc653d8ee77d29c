"""Calls and turns: recorded in order, masked before storage, audio only when allowed."""

from __future__ import annotations

import pytest

from ivr.storage import calls, options
from ivr.storage.database import Database
from ivr.storage.errors import Conflict, InvalidValue, NotFound
from ivr.storage.models import Call


def test_a_call_is_recorded_with_masked_turns_in_order(database: Database) -> None:
    with database.transaction() as s:
        calls.start_call(s, "call-1", "+33 6 12 34 56 78")
        calls.add_turn(s, "call-1", "assistant", "Bonjour, mairie de Saint-Paul.")
        said = "rappelez-moi au zéro six douze trente-quatre cinquante-six soixante-dix-huit"
        calls.add_turn(s, "call-1", "caller", said, intent="callback", confidence=0.82)
        calls.end_call(s, "call-1", "callback", summary="rappel demandé au 06 12 34 56 78")
    with database.transaction() as s:
        call = calls.get_call(s, "call-1")
    assert call.caller_number == "0612345678"
    assert call.outcome == "callback" and call.ended_at is not None
    assert [t.seq for t in call.turns] == [1, 2]
    assert call.turns[1].text == "rappelez-moi au [téléphone]"
    assert call.turns[1].intent == "callback" and call.turns[1].confidence == 0.82
    assert call.summary == "rappel demandé au [téléphone]"
    assert call.started_at.tzinfo is not None


def test_audio_is_dropped_unless_an_admin_allowed_it(database: Database) -> None:
    with database.transaction() as s:
        calls.start_call(s, "c", None)
        assert calls.add_turn(s, "c", "caller", "oui", audio=b"\0\0" * 160).has_audio is False
        options.set_store_audio(s, True)
        assert calls.add_turn(s, "c", "caller", "non", audio=b"\0\0" * 160).has_audio is True
    with database.transaction() as s:
        assert [t.has_audio for t in calls.get_call(s, "c").turns] == [False, True]


def test_a_turn_written_again_with_its_key_is_stored_once(database: Database) -> None:
    with database.transaction() as s:
        calls.start_call(s, "c", None)
        calls.start_call(s, "other", None)
        first = calls.add_turn(s, "c", "caller", "les horaires", key="k-1")
    with database.transaction() as s:  # the same write, in a new transaction (a retry)
        again = calls.add_turn(s, "c", "caller", "les horaires", key="k-1")
        calls.add_turn(s, "c", "caller", "les horaires")  # no key: a new turn
        with pytest.raises(Conflict):
            calls.add_turn(s, "other", "caller", "les horaires", key="k-1")
        with pytest.raises(InvalidValue):
            calls.add_turn(s, "c", "caller", "x", key="k" * 37)
    with database.transaction() as s:
        stored = calls.get_call(s, "c").turns
    assert again == first and [t.seq for t in stored] == [1, 2]


def test_transfer_needs_a_queue_and_outcomes_are_checked(database: Database) -> None:
    with database.transaction() as s:
        calls.start_call(s, "c", "anonymous")
        with pytest.raises(InvalidValue):
            calls.end_call(s, "c", "transferred")
        with pytest.raises(InvalidValue):
            calls.end_call(s, "c", "exploded")
        record = calls.end_call(s, "c", "transferred", transfer_queue="urbanisme",
                                transfer_reason="permis de construire")
    assert record.caller_number is None
    assert record.transfer_queue == "urbanisme"


def test_bad_input_gets_clear_errors_and_loses_nothing(database: Database) -> None:
    with database.transaction() as s:
        calls.start_call(s, "c", "0612345678")
        with pytest.raises(Conflict):
            calls.start_call(s, "c", "0612345678")
        with pytest.raises(NotFound):
            calls.add_turn(s, "nope", "caller", "allo")
        with pytest.raises(InvalidValue):
            calls.add_turn(s, "c", "robot", "allo")
        with pytest.raises(InvalidValue):
            calls.add_turn(s, "c", "caller", "allo", confidence=1.5)
        with pytest.raises(InvalidValue):
            calls.start_call(s, "d", "call me maybe")
        calls.add_turn(s, "c", "caller", "allo")
    with database.transaction() as s:
        assert [c.id for c in calls.list_calls(s)] == ["c"]
        assert len(calls.get_call(s, "c").turns) == 1


def test_a_satisfaction_answer_is_kept_with_the_call_and_its_comment_masked(
    database: Database,
) -> None:
    with database.transaction() as s:
        calls.start_call(s, "sat", None)
        calls.end_call(s, "sat", "resolved")
        calls.record_satisfaction(s, "sat", "1-5", 2, "trop long, rappelez le 06 12 34 56 78")
    with database.transaction() as s:
        record = calls.get_call(s, "sat")
        comment = s.get(Call, "sat").satisfaction_comment  # type: ignore[union-attr]
    assert (record.satisfaction_scale, record.satisfaction_score) == ("1-5", 2)
    assert comment == "trop long, rappelez le [téléphone]"
    with database.transaction() as s:
        with pytest.raises(InvalidValue):
            calls.record_satisfaction(s, "sat", "1-5", 6)
        with pytest.raises(InvalidValue):
            calls.record_satisfaction(s, "sat", "stars", 3)
        with pytest.raises(NotFound):
            calls.record_satisfaction(s, "nowhere", "yes_no", 1)
