"""Which agent took a transferred call: the dialplan's event read strictly, and kept with the
call on both databases (the real event, from a real phone, is in
tests/session/test_agent_handoff.py)."""

from __future__ import annotations

import uuid

import pytest

from ivr.agent_answers import Answered, answered
from ivr.storage import calls
from ivr.storage.database import Database
from ivr.storage.errors import NotFound
from telephony.ami import AmiEvent

CALL = uuid.UUID("0f3c9a52-8c1e-4d4e-9a0b-2d7f5c6e1a10")


def user_event(**fields: str) -> AmiEvent:
    return AmiEvent("UserEvent", {"UserEvent": "StandardisteAnswered", **fields})


def test_the_answer_event_names_the_call_and_the_agent() -> None:
    assert answered(user_event(Uuid=str(CALL), Agent="101")) == Answered(CALL, "101")
    assert answered(AmiEvent("UserEvent", {"UserEvent": "StandardisteTransfer",
                                          "Uuid": str(CALL)})) is None
    assert answered(AmiEvent("Hangup", {"Uuid": str(CALL), "Agent": "101"})) is None


@pytest.mark.parametrize("fields", [
    {"Uuid": "not-a-uuid", "Agent": "101"},
    {"Uuid": str(CALL), "Agent": ""},
    {"Uuid": str(CALL), "Agent": "101\r\nAction: Originate"},
    {"Uuid": str(CALL), "Agent": "x" * 33},
    {"Uuid": str(CALL), "Agent": "1 0 1"},
])
def test_a_malformed_answer_is_ignored(fields: dict[str, str]) -> None:
    assert answered(user_event(**fields)) is None


def test_the_agent_is_kept_with_the_transferred_call(database: Database) -> None:
    with database.transaction() as s:
        calls.start_call(s, str(CALL), "0612345678")
        calls.end_call(s, str(CALL), "transferred", transfer_queue="accueil")
    with database.transaction() as s:
        calls.record_transfer_agent(s, str(CALL), "101")
        calls.record_transfer_agent(s, str(CALL), "101")  # another worker reports it too
    with database.transaction() as s:
        record = calls.get_call(s, str(CALL))
        assert record.transfer_agent == "101" and record.outcome == "transferred"
        assert calls.list_calls(s)[0].transfer_agent == "101"
    with pytest.raises(NotFound), database.transaction() as s:
        calls.record_transfer_agent(s, "no-such-call", "101")
