"""Live events shared by the workers through a real PostgreSQL (LISTEN/NOTIFY): one worker's
events reach the other's hub in order, a large one by reference; a phone event comes from
the call's own worker only; a silent worker's calls leave the console; malformed
notifications are ignored. (Two real workers and a browser: tests/session/
test_workers_console.py.)"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from ivr.live import CallEvent, LiveHub, Subscription
from ivr.live_relay import CHANNEL, LiveRelay, conninfo
from ivr.storage.database import Database, DatabaseSettings
from tests.telephony.peers import eventually

pytestmark = pytest.mark.postgres
AT = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


@pytest.fixture
def migrated_url(shared_url: str) -> str:
    database = Database(DatabaseSettings(url=shared_url))
    database.upgrade()
    database.dispose()
    return shared_url


async def collect(subscription: Subscription, count: int, wait_s: float = 10) -> list[CallEvent]:
    got: list[CallEvent] = []
    async with asyncio.timeout(wait_s):
        while len(got) < count:
            event = await subscription.next(wait_s)
            if event is not None:
                got.append(event)
    return got


def notify(url: str, payload: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": payload})
    finally:
        engine.dispose()


def test_the_connection_string_comes_from_the_database_url() -> None:
    assert conninfo("postgresql+psycopg://u:s%40cret@db:5433/x") == \
        "postgresql://u:s%40cret@db:5433/x"
    with pytest.raises(ValueError, match="PostgreSQL"):
        conninfo("sqlite:///calls.db")


async def test_one_workers_events_reach_the_other_workers_hub_in_order(migrated_url: str) -> None:
    here, there = LiveHub(), LiveHub()
    async with LiveRelay(here, migrated_url, worker="a").running(), \
            LiveRelay(there, migrated_url, worker="b").running():
        subscription = there.subscribe()
        here.publish(CallEvent("c1", "start", at=AT, caller="0612345678"))
        for n in range(40):
            here.publish(CallEvent("c1", "turn", at=AT + timedelta(seconds=n),
                                   speaker="caller", text=f"phrase {n}", slots=(("n", str(n)),)))
        long_answer = "Les horaires d'ouverture sont ceux-ci. " * 500  # ~20 KB: by reference
        here.publish(CallEvent("c1", "turn", speaker="assistant", text=long_answer))
        here.publish(CallEvent("c1", "transfer", queue="accueil", reason="carte d'identité"))
        got = await collect(subscription, 43)
        assert [e.kind for e in got] == ["start", *["turn"] * 41, "transfer"]
        assert [e.text for e in got[1:41]] == [f"phrase {n}" for n in range(40)]
        assert got[1].slots == (("n", "0"),) and got[1].at == AT
        assert got[41].text == long_answer
        [call] = there.snapshot()
        assert call.caller == "0612345678" and call.transfer is not None
        # the phones' AMI events reach every worker: only the call's own worker tells
        there.publish(CallEvent("c1", "ringing", agent="102"))  # dropped: not its call
        here.publish(CallEvent("c1", "end", reason="transferred"))
        here.publish(CallEvent("c1", "ringing", agent="101"))
        later = await collect(subscription, 2)
        assert [(e.kind, e.agent) for e in later] == [("end", None), ("ringing", "101")]
        assert there.snapshot() == []
        handed = there.handed("c1")
        assert handed is not None and handed.events[-1].agent == "101"


async def test_a_silent_worker_s_calls_leave_the_other_consoles(migrated_url: str) -> None:
    here, there = LiveHub(), LiveHub()
    async with LiveRelay(there, migrated_url, worker="b", heartbeat_s=0.2,
                         silent_after_s=1.0).running():
        async with LiveRelay(here, migrated_url, worker="a", heartbeat_s=0.2).running():
            subscription = there.subscribe()
            here.publish(CallEvent("c1", "start", caller="0612345678"))
            await collect(subscription, 1)
            assert [c.call_id for c in there.snapshot()] == ["c1"]
        # worker a stops without ending its call (it died)
        assert await eventually(lambda: not there.snapshot(), 5)


async def test_malformed_notifications_are_ignored(migrated_url: str) -> None:
    there = LiveHub()
    async with LiveRelay(there, migrated_url, worker="b").running() as relay:
        subscription = there.subscribe()
        for payload in ("not json", "[]", '{"w": 3}', '{"w": "x", "e": {"kind": "bogus"}}',
                        '{"w": "x", "e": {"kind": "start", "call_id": "", "at": "x"}}',
                        '{"w": "x", "ref": 999999}'):
            await asyncio.to_thread(notify, migrated_url, payload)
        good = CallEvent("c2", "start", at=AT).as_json()
        await asyncio.to_thread(notify, migrated_url,
                                json.dumps({"w": "x", "e": good}))
        [event] = await collect(subscription, 1)
    assert event.call_id == "c2" and relay.received == 1
