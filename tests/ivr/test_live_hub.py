"""The live call hub: fan-out to subscribers, calls in progress, slow subscribers dropped
without blocking the publisher, publishing from another thread."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

from ivr.live import CallEvent, LiveHub, Subscription


async def _collect(subscription: Subscription, count: int) -> list[CallEvent]:
    got: list[CallEvent] = []
    async for event in subscription:
        got.append(event)
        if len(got) == count:
            break
    return got


async def test_every_subscriber_gets_the_events_in_order() -> None:
    hub = LiveHub()
    first, second = hub.subscribe(), hub.subscribe()
    events = [CallEvent("c1", "start", caller="0612345678"),
              CallEvent("c1", "turn", speaker="caller", text="horaires", intent="horaires"),
              CallEvent("c1", "transfer", queue="accueil", reason="conseiller", text="résumé",
                        slots=(("service", "accueil"),))]
    for event in events:
        hub.publish(event)
    assert await _collect(first, 3) == events
    assert await _collect(second, 3) == events
    live = hub.call("c1")
    assert live is not None and live.caller == "0612345678"
    assert live.transfer is not None and live.transfer.queue == "accueil"
    assert live.last_intent == "horaires" and live.slots == {"service": "accueil"}
    assert [e.text for e in live.turns] == ["horaires"]
    hub.publish(CallEvent("c1", "end", reason="transferred"))
    assert hub.call("c1") is None and hub.snapshot() == []


async def test_a_slow_subscriber_is_dropped_and_the_publisher_never_waits() -> None:
    hub = LiveHub(queue_size=4)
    slow, fast = hub.subscribe(), hub.subscribe()
    reader = asyncio.create_task(_collect(fast, 10))
    for n in range(10):
        hub.publish(CallEvent(f"c{n}", "start"))  # returns at once, no await needed
        await asyncio.sleep(0)  # the fast reader keeps up
    assert len(await reader) == 10
    assert slow.dropped and not fast.dropped
    assert await _collect(slow, 100) == []  # its stream ends, it can resubscribe
    assert hub.subscriber_count == 1
    assert len(hub.snapshot()) == 10


async def test_publishing_from_another_thread_reaches_the_loop() -> None:
    hub = LiveHub()
    subscription = hub.subscribe()
    thread = threading.Thread(
        target=lambda: [hub.publish(CallEvent("t", "turn", text=str(n))) for n in range(3)])
    thread.start()
    got = await asyncio.wait_for(_collect(subscription, 3), 5)
    thread.join()
    assert [e.text for e in got] == ["0", "1", "2"]


async def test_next_times_out_and_close_ends_the_subscription() -> None:
    hub = LiveHub(max_events=2)
    subscription = hub.subscribe()
    assert await subscription.next(0.01) is None
    for n in range(3):
        hub.publish(CallEvent("c", "turn", text=str(n)))
    live = hub.call("c")
    assert live is not None and [e.text for e in live.events] == ["1", "2"]
    hub.close()
    assert await _collect(subscription, 10) == []
    assert hub.subscriber_count == 0


def test_a_call_whose_end_was_lost_is_forgotten_after_a_while() -> None:
    hub = LiveHub(forget_after=timedelta(hours=1))
    start = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
    hub.publish(CallEvent("lost", "start", at=start))
    hub.publish(CallEvent("recent", "start", at=start + timedelta(minutes=50)))
    hub.publish(CallEvent("new", "start", at=start + timedelta(minutes=61)))
    assert [c.call_id for c in hub.snapshot()] == ["recent", "new"]


async def test_a_transferred_call_stays_aside_for_the_agents_phones_events() -> None:
    hub = LiveHub()
    subscription = hub.subscribe()
    hub.publish(CallEvent("mine", "start", caller="0612345678"))
    hub.publish(CallEvent("mine", "transfer", queue="accueil", reason="carte d'identité"))
    hub.publish(CallEvent("mine", "end", reason="transferred"))
    hub.publish(CallEvent("elsewhere", "ringing", agent="101"))  # another worker's call
    hub.publish(CallEvent("mine", "ringing", agent="101"))
    hub.publish(CallEvent("mine", "answered", agent="101"))
    got = await _collect(subscription, 5)
    assert [(e.call_id, e.kind) for e in got] == [
        ("mine", "start"), ("mine", "transfer"), ("mine", "end"), ("mine", "ringing"),
        ("mine", "answered")]
    assert hub.snapshot() == [] and hub.call("mine") is None  # no longer with the assistant
    aside = hub.handed("mine")
    assert aside is not None and aside.transfer is not None
    assert aside.caller == "0612345678" and aside.answered_by == "101"
    assert hub.handed("elsewhere") is None
    hub.publish(CallEvent("mine", "start"))  # back: nobody answered after all
    assert [c.call_id for c in hub.snapshot()] == ["mine"]
    assert hub.handed("mine") is hub.call("mine")
    hub.publish(CallEvent("mine", "end", reason="callback"))
    hub.publish(CallEvent("mine", "ring_end", agent="102"))
    assert hub.handed("mine") is None


def test_calls_kept_aside_are_bounded_in_number_and_time() -> None:
    hub = LiveHub(handed_keep=timedelta(minutes=10), max_handed=2)
    start = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
    for n, minutes in enumerate((0, 1, 2)):
        at = start + timedelta(minutes=minutes)
        hub.publish(CallEvent(f"c{n}", "start", at=at))
        hub.publish(CallEvent(f"c{n}", "end", at=at, reason="transferred"))
    assert [hub.handed(f"c{n}") is not None for n in range(3)] == [False, True, True]
    late = start + timedelta(minutes=11, seconds=30)
    hub.publish(CallEvent("c3", "start", at=late))
    hub.publish(CallEvent("c3", "end", at=late, reason="transferred"))
    assert [hub.handed(f"c{n}") is not None for n in range(4)] == [False, False, True, True]
    hub.publish(CallEvent("c4", "start", at=late))
    hub.publish(CallEvent("c4", "end", at=late, reason="resolved"))  # not transferred
    assert hub.handed("c4") is None
