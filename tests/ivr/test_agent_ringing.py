"""Which agent's phone rings for which call: the dialplan's events read strictly, followed to
the end of the ringing or of the agent's conversation, in a bounded table (the real events,
from real phones, are in tests/session/test_agent_screen_pop.py)."""

from __future__ import annotations

import uuid

import pytest

from ivr.agent_ringing import Ringing, RingingPhones, ringing
from telephony.ami import AmiEvent

CALL = "0f3c9a52-8c1e-4d4e-9a0b-2d7f5c6e1a10"
OTHER = "5b1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"


def rings(call: str = CALL, agent: str = "101", channel: str = "PJSIP/101-00000003",
          **extra: str) -> AmiEvent:
    return AmiEvent("UserEvent", {"UserEvent": "StandardisteRinging", "Uuid": call,
                                  "Agent": agent, "Channel": channel, **extra})


def answers(call: str = CALL, agent: str = "101",
            channel: str = "PJSIP/101-00000003") -> AmiEvent:
    return AmiEvent("UserEvent", {"UserEvent": "StandardisteAnswered", "Uuid": call,
                                  "Agent": agent, "Channel": channel})


def hangup(channel: str) -> AmiEvent:
    return AmiEvent("Hangup", {"Channel": channel, "Cause": "16"})


def kinds(phones: RingingPhones, *events: AmiEvent) -> list[tuple[str, str, str | None]]:
    made = [phones.follow(e) for e in events]
    return [(e.kind, e.call_id, e.agent) for e in made if e is not None]


def test_the_ringing_event_names_the_call_the_phone_and_its_channel() -> None:
    assert ringing(rings()) == Ringing(str(uuid.UUID(CALL)), "101", "PJSIP/101-00000003")
    assert ringing(answers()) is None
    assert ringing(AmiEvent("Newchannel", {"Uuid": CALL, "Agent": "101"})) is None


@pytest.mark.parametrize("fields", [
    {"Uuid": "not-a-uuid"},
    {"Agent": ""},
    {"Agent": "101\r\nAction: Originate"},
    {"Agent": "x" * 33},
    {"Channel": ""},
    {"Channel": "PJSIP/101 00000003"},
    {"Channel": "P" * 129},
])
def test_a_malformed_ringing_event_is_ignored(fields: dict[str, str]) -> None:
    event = rings()
    assert ringing(AmiEvent(event.name, {**event.fields, **fields})) is None
    assert RingingPhones().follow(AmiEvent(event.name, {**event.fields, **fields})) is None


def test_a_phone_that_rings_then_answers_then_hangs_up() -> None:
    phones = RingingPhones()
    assert kinds(phones, rings(), answers()) == [("ringing", CALL, "101"),
                                                 ("answered", CALL, "101")]
    assert kinds(phones, hangup("PJSIP/102-00000009")) == []  # not followed: nothing
    assert kinds(phones, hangup("PJSIP/101-00000003")) == [("agent_end", CALL, "101")]
    assert len(phones) == 0 and kinds(phones, hangup("PJSIP/101-00000003")) == []


def test_a_phone_that_stops_ringing_unanswered_then_the_next_one_takes_the_call() -> None:
    phones = RingingPhones()
    assert kinds(phones, rings(), hangup("PJSIP/101-00000003"),
                 rings(agent="102", channel="PJSIP/102-00000004"),
                 answers(agent="102", channel="PJSIP/102-00000004")) == [
        ("ringing", CALL, "101"), ("ring_end", CALL, "101"),
        ("ringing", CALL, "102"), ("answered", CALL, "102")]


def test_two_calls_ringing_two_phones_are_told_apart() -> None:
    phones = RingingPhones()
    kinds(phones, rings(), rings(OTHER, "102", "PJSIP/102-00000005"))
    assert kinds(phones, hangup("PJSIP/102-00000005"), hangup("PJSIP/101-00000003")) == [
        ("ring_end", OTHER, "102"), ("ring_end", CALL, "101")]


def test_the_table_of_followed_channels_is_bounded() -> None:
    phones = RingingPhones(limit=3)
    for n in range(10):  # their hang-ups were lost
        phones.follow(rings(channel=f"PJSIP/101-{n:08d}"))
    assert len(phones) == 3
    assert kinds(phones, hangup("PJSIP/101-00000000")) == []  # the oldest went first
    assert kinds(phones, hangup("PJSIP/101-00000009")) == [("ring_end", CALL, "101")]
