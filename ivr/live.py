"""Live call events for the agent console: an in-process publish/subscribe hub.

The call session publishes a `CallEvent` when a call starts, at each turn, when it is
transferred and when it ends; while a transferred call rings an agent's phone, the AMI watch
(`ivr.agent_ringing`) publishes "ringing", then "answered" (then "agent_end" when that agent's
phone hangs up) or "ring_end"; the back office subscribes and streams them to agents' browsers
(server-sent events). `LiveHub.publish` never blocks and never raises: each subscriber has a
bounded queue, and a subscriber too slow to keep up is dropped (its stream ends; the browser
reconnects and starts again from `snapshot()`). Publishing from another thread than the
subscriber's event loop is safe (the event is handed over with `call_soon_threadsafe`).

The hub also keeps the calls in progress (their events so far, at most `max_events` each),
so a page opened in the middle of a call shows what was said; a call leaves on its "end"
event. A call that ended "transferred" is still ringing an agent's phone or talking with one:
the hub keeps it aside for `handed_keep` (not among the calls in progress), so the events of
the agents' phones about it still reach the consoles; a phone event about a call the hub
does not know (another worker's, or long gone) is dropped. Texts are kept as published; the
back office masks them (`ivr.privacy.masking`) before showing them, like the database does
before storing. Times are aware datetimes (UTC).
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args

EventKind = Literal["start", "turn", "transfer", "ringing", "answered", "ring_end",
                   "agent_end", "end"]
PHONE_KINDS = frozenset({"ringing", "answered", "ring_end", "agent_end"})
KINDS = frozenset(get_args(EventKind))
"""Events about one agent's phone (their `agent` names it)."""


@dataclass(frozen=True, slots=True)
class CallEvent:
    """Something that happened in a call."""

    call_id: str
    kind: EventKind
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    """When it happened (aware)."""
    caller: str | None = None
    """start: the caller's number as recorded (None when withheld)."""
    speaker: str | None = None
    """turn: "caller" or "assistant"."""
    text: str | None = None
    """turn: what was said (masked); transfer/end: the summary."""
    intent: str | None = None
    """turn: the caller's intent, None when not understood."""
    node: str | None = None
    """turn: the flow node after the turn."""
    slots: tuple[tuple[str, str], ...] = ()
    """turn and transfer: what the call has gathered, (name, value) pairs."""
    queue: str | None = None
    """transfer: the service queue."""
    reason: str | None = None
    """transfer: why the call is transferred; end: the outcome."""
    agent: str | None = None
    """ringing, answered, ring_end, agent_end: the agent's phone (PJSIP endpoint, "101")."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CallEvent:
        """The event `as_json` gave (relayed from another worker); ValueError if malformed."""
        if not isinstance(data, Mapping) or data.get("kind") not in KINDS:
            raise ValueError("not a call event")
        texts = {}
        for name in ("caller", "speaker", "text", "intent", "node", "queue", "reason",
                     "agent"):
            value = data.get(name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"call event: {name} is not text")
            texts[name] = value
        call_id, slots = data.get("call_id"), data.get("slots") or {}
        if not isinstance(call_id, str) or not call_id or not isinstance(slots, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in slots.items()):
            raise ValueError("call event: bad call id or slots")
        at = datetime.fromisoformat(str(data.get("at")))
        if at.tzinfo is None:
            raise ValueError("call event: time without a time zone")
        return cls(call_id, data["kind"], at=at, slots=tuple(slots.items()), **texts)

    def as_json(self) -> dict[str, Any]:
        return {"call_id": self.call_id, "kind": self.kind, "at": self.at.isoformat(),
                "caller": self.caller, "speaker": self.speaker, "text": self.text,
                "intent": self.intent, "node": self.node, "slots": dict(self.slots),
                "queue": self.queue, "reason": self.reason, "agent": self.agent}


@dataclass(frozen=True, slots=True)
class LiveCall:
    """A call in progress as the hub knows it."""

    call_id: str
    started_at: datetime
    caller: str | None
    events: tuple[CallEvent, ...]

    @property
    def transfer(self) -> CallEvent | None:
        return next((e for e in reversed(self.events) if e.kind == "transfer"), None)

    @property
    def turns(self) -> list[CallEvent]:
        return [e for e in self.events if e.kind == "turn"]

    @property
    def answered_by(self) -> str | None:
        """The agent's phone that took the call, None while nobody has."""
        return next((e.agent for e in reversed(self.events) if e.kind == "answered"), None)

    @property
    def last_intent(self) -> str | None:
        return next((e.intent for e in reversed(self.events) if e.intent), None)

    @property
    def slots(self) -> dict[str, str]:
        for event in reversed(self.events):
            if event.slots:
                return dict(event.slots)
        return {}


class Subscription:
    """One subscriber's events, as an async iterator; ends when closed or dropped."""

    def __init__(self, hub: LiveHub, size: int) -> None:
        self._hub = hub
        self._queue: asyncio.Queue[CallEvent | None] = asyncio.Queue(maxsize=size + 1)
        self._size = size
        self._loop = asyncio.get_running_loop()
        self.dropped = False
        """True when the hub dropped this subscriber for being too slow."""

    def __aiter__(self) -> AsyncIterator[CallEvent]:
        return self._events()

    async def _events(self) -> AsyncIterator[CallEvent]:
        try:
            while True:
                event = await self._queue.get()
                if event is None:
                    return
                yield event
        finally:
            self._hub._remove(self)

    async def next(self, timeout_s: float) -> CallEvent | None:
        """The next event, or None after `timeout_s` seconds without one; StopAsyncIteration
        when the subscription is over."""
        try:
            event = await asyncio.wait_for(self._queue.get(), timeout_s)
        except TimeoutError:
            return None
        if event is None:
            self._hub._remove(self)
            raise StopAsyncIteration
        return event

    def close(self) -> None:
        """End the subscription (thread-safe)."""
        self._hand_over(None)

    def _offer(self, event: CallEvent) -> None:
        self._hand_over(event)

    def _hand_over(self, event: CallEvent | None) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._put(event)
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._put, event)

    def _put(self, event: CallEvent | None) -> None:
        if event is None or self._queue.qsize() >= self._size:
            if event is not None:
                self.dropped = True
            self._hub._remove(self)
            while not self._queue.empty():  # room for the end marker
                self._queue.get_nowait()
            self._queue.put_nowait(None)
            return
        self._queue.put_nowait(event)


class LiveHub:
    """Publish/subscribe of call events, plus the calls in progress."""

    def __init__(self, queue_size: int = 256, max_events: int = 500,
                 forget_after: timedelta = timedelta(hours=4),
                 handed_keep: timedelta = timedelta(minutes=15), max_handed: int = 256) -> None:
        """`queue_size`: events a subscriber may lag behind before it is dropped;
        `max_events`: events kept per call in progress (the oldest turns go first);
        `forget_after`: a call silent that long is forgotten (its "end" event was lost);
        `handed_keep`, `max_handed`: how long and how many transferred calls are kept aside
        for the events of the agents' phones."""
        self.queue_size = queue_size
        self.max_events = max_events
        self.forget_after = forget_after
        self.handed_keep = handed_keep
        self.max_handed = max_handed
        self._calls: dict[str, LiveCall] = {}
        self._handed: OrderedDict[str, LiveCall] = OrderedDict()
        self._remote: dict[str, str] = {}
        """Calls of other workers (relayed to this hub) -> the worker's name."""
        self._relays: list[Callable[[CallEvent], None]] = []
        self._subscribers: set[Subscription] = set()
        self._lock = threading.Lock()

    def add_relay(self, relay: Callable[[CallEvent], None]) -> None:
        """Also hand every event published here to `relay` (it must not block or raise):
        how the other workers' hubs get this worker's events (`ivr.live_relay`)."""
        self._relays.append(relay)

    def publish(self, event: CallEvent) -> None:
        """Record and fan out an event of this worker; never blocks, never raises for a
        subscriber. An event about an agent's phone is dropped unless the call is this
        worker's (every worker sees the phones' AMI events; the call's own worker tells)."""
        with self._lock:
            if event.kind in PHONE_KINDS and (event.call_id in self._remote or (
                    event.call_id not in self._calls and event.call_id not in self._handed)):
                return
            self._record(event)
            subscribers = list(self._subscribers)
        for relay in self._relays:
            relay(event)
        for subscriber in subscribers:
            subscriber._offer(event)

    def receive(self, event: CallEvent, worker: str) -> None:
        """Record and fan out an event another worker published (relayed to this hub). A
        web chat's requests may reach any worker: the turns another worker adds to one of
        this worker's calls are taken, its phone events are not."""
        with self._lock:
            own = event.call_id not in self._remote and (
                event.call_id in self._calls or event.call_id in self._handed)
            if own and event.kind in PHONE_KINDS:
                return  # one of this worker's calls: its phone events are made here
            if not own:
                self._remote[event.call_id] = worker
            self._record(event)
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber._offer(event)

    def forget_worker(self, worker: str) -> list[str]:
        """Drop the calls of a worker gone silent (it died: no "end" will come); their ids."""
        with self._lock:
            gone = [c for c, w in self._remote.items() if w == worker]
            for call_id in gone:
                self._calls.pop(call_id, None)
                self._handed.pop(call_id, None)
                del self._remote[call_id]
            return gone

    def _record(self, event: CallEvent) -> None:
        if event.kind in PHONE_KINDS and event.call_id not in self._calls:
            handed = self._handed.get(event.call_id)
            if handed is not None:
                self._handed[event.call_id] = self._with(handed, event)
            return
        self._remember(event)
        if event.call_id not in self._calls and event.call_id not in self._handed:
            self._remote.pop(event.call_id, None)

    def subscribe(self) -> Subscription:
        """A new subscriber (call from the event loop that will read it)."""
        subscription = Subscription(self, self.queue_size)
        with self._lock:
            self._subscribers.add(subscription)
        return subscription

    def snapshot(self) -> list[LiveCall]:
        """Calls in progress, oldest first."""
        with self._lock:
            return sorted(self._calls.values(), key=lambda c: c.started_at)

    def call(self, call_id: str) -> LiveCall | None:
        with self._lock:
            return self._calls.get(call_id)

    def handed(self, call_id: str) -> LiveCall | None:
        """A call in progress, or one this hub's worker transferred a short while ago."""
        with self._lock:
            return self._calls.get(call_id) or self._handed.get(call_id)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def close(self) -> None:
        """End every subscription (at shutdown)."""
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber.close()

    def _remove(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)

    def _remember(self, event: CallEvent) -> None:
        if event.kind == "end":
            ended = self._calls.pop(event.call_id, None)
            if ended is not None and event.reason == "transferred":
                self._hand_aside(ended, event.at)
            return
        if event.kind == "start":
            self._handed.pop(event.call_id, None)  # back from a transfer nobody answered
            oldest = event.at - self.forget_after
            for stale in [c.call_id for c in self._calls.values() if c.events[-1].at < oldest]:
                del self._calls[stale]
                self._remote.pop(stale, None)
        call = self._calls.get(event.call_id)
        if call is None:
            call = LiveCall(event.call_id, event.at, event.caller, ())
        self._calls[event.call_id] = self._with(call, event)

    def _with(self, call: LiveCall, event: CallEvent) -> LiveCall:
        events = (*call.events, event)
        if len(events) > self.max_events:
            events = events[-self.max_events:]
        return LiveCall(call.call_id, call.started_at, call.caller or event.caller, events)

    def _hand_aside(self, call: LiveCall, now: datetime) -> None:
        self._handed[call.call_id] = call
        self._handed.move_to_end(call.call_id)
        oldest = now - self.handed_keep
        while self._handed and (len(self._handed) > self.max_handed
                                or next(iter(self._handed.values())).events[-1].at < oldest):
            evicted, _ = self._handed.popitem(last=False)
            self._remote.pop(evicted, None)
