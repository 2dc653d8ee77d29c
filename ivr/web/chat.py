"""Web chat conversations: the published flow answering in a browser, kept in memory.

`ChatRooms` holds the conversations in progress (at most `ChatSettings.max_conversations`;
one idle longer than `idle_s` seconds is closed as abandoned). Each conversation plays the
flow published when it started (`FlowRegistry.current`), with `DatabaseServices`, so an
appointment, ticket or callback made in the chat is a real one. Like a phone call it is
recorded (`ivr.storage.calls`, texts masked by storage; no caller number) and published to
the `LiveHub` (start, turns, transfer, end), so agents see it in their console; a transferred
conversation stays there (no "end") until the hub forgets it (there is no agent-to-chat
reply channel yet: the agent sees what was asked).

A message is text (what the caller would say) or a keypad-like choice (digits). Voice-only
actions (speaking pace, barge-in) are ignored. Clocks are injected: `monotonic` (seconds)
drives expiry and the per-conversation rate limit, `now` gives the town hall's naive local
time the engine reasons in. Blocking (NLU, database): call from a worker thread.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dialogs.engine import Engine
from dialogs.events import Action, CallerInput, Digits, Hangup, Say, Transfer, Utterance
from dialogs.hours import HoursFile
from dialogs.state import CallState
from ivr.flows_live import DEFAULT_FLOW, FlowRegistry, LiveFlow
from ivr.live import CallEvent, LiveHub
from ivr.live_events import transfer_event, turn_events
from ivr.session.services_db import DatabaseServices
from ivr.storage import calls
from ivr.storage.database import Database
from ivr.storage.errors import InvalidValue, NotFound, StorageError
from ivr.web.ratelimit import LoginLimiter

log = logging.getLogger(__name__)
HANDED_OVER = ("Votre demande est transmise à un conseiller de la mairie, qui vous répondra "
               "dès que possible.")


@dataclass(frozen=True, slots=True)
class ChatSettings:
    idle_s: float = 1800.0
    """A conversation idle this long (seconds) is closed and forgotten."""
    max_conversations: int = 500
    """Conversations kept at once; the oldest idle one is closed to make room."""
    per_conversation: int = 30
    """Messages allowed per conversation within `window_s`."""
    per_address: int = 120
    """Requests (starts and messages) allowed per client address within `window_s`."""
    window_s: float = 60.0
    """Window of both rate limits, seconds."""
    flow: str = DEFAULT_FLOW
    """The published flow the chat plays."""


class TooMany(Exception):
    """A rate limit is reached; `retry_after` seconds to wait."""

    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many messages, retry in {retry_after} s")
        self.retry_after = retry_after


@dataclass(slots=True)
class Conversation:
    id: str
    live: LiveFlow
    services: DatabaseServices
    state: CallState
    last_seen: float
    lock: threading.Lock = field(default_factory=threading.Lock)


def _reply(conv: Conversation, actions: list[Action]) -> dict[str, Any]:
    says = [a.text for a in actions if isinstance(a, Say)]
    transfer = next((a for a in actions if isinstance(a, Transfer)), None)
    if transfer is not None:
        says.append(HANDED_OVER)
    return {"id": conv.id, "messages": says, "ended": conv.state.ended,
            "transfer": None if transfer is None else {"queue": transfer.queue}}


class ChatRooms:
    """The web chat's conversations (thread-safe)."""

    def __init__(self, settings: ChatSettings, database: Database, flows: FlowRegistry,
                 live: LiveHub, timezone: str, *, now: Callable[[], datetime],
                 monotonic: Callable[[], float]) -> None:
        self.settings = settings
        self.database = database
        self.flows = flows
        self.live = live
        self.timezone = timezone
        self.now = now
        self.monotonic = monotonic
        self.by_address = LoginLimiter(settings.per_address, settings.window_s, monotonic)
        self.by_conversation = LoginLimiter(settings.per_conversation, settings.window_s,
                                            monotonic)
        self._conversations: dict[str, Conversation] = {}
        self._lock = threading.Lock()

    def count(self) -> int:
        with self._lock:
            return len(self._conversations)

    def _limit(self, limiter: LoginLimiter, key: str) -> None:
        wait = limiter.retry_after([key])
        if wait is not None:
            raise TooMany(wait)
        limiter.failure([key])

    def start(self, address: str) -> dict[str, Any]:
        """Open a conversation: its id and the greeting."""
        self._limit(self.by_address, address)
        self.expire()
        live = self.flows.current(self.settings.flow)
        call_id = "web-" + secrets.token_hex(8)
        with self.database.transaction() as s:
            calls.start_call(s, call_id, None)
        services = DatabaseServices(self.database, live.loaded.hours or HoursFile(services={}),
                                    self.timezone, call_id)
        engine = Engine(live.loaded, live.understander, services)
        state, actions = engine.start(self.now(), call_id)
        conv = Conversation(call_id, live, services, state, self.monotonic())
        self.live.publish(CallEvent(call_id, "start"))
        self._after(conv, None, actions)
        with self._lock:
            if len(self._conversations) >= self.settings.max_conversations:
                oldest = min(self._conversations.values(), key=lambda c: c.last_seen)
                self._close(self._conversations.pop(oldest.id), "abandoned")
            self._conversations[call_id] = conv
        return _reply(conv, actions)

    def say(self, address: str, conversation_id: str, text: str | None,
            choice: str | None) -> dict[str, Any]:
        """Play one message; `NotFound` when the conversation is unknown or expired."""
        self._limit(self.by_address, address)
        self.expire()
        with self._lock:
            conv = self._conversations.get(conversation_id)
        if conv is None:
            raise NotFound("this conversation is over or has expired")
        self._limit(self.by_conversation, conversation_id)
        if not choice and not (text or "").strip():
            raise InvalidValue("a message needs a text or a choice")
        caller: CallerInput = Digits(choice) if choice else Utterance((text or "").strip())
        with conv.lock:
            if conv.state.ended:
                return {"id": conv.id, "messages": [], "ended": True, "transfer": None}
            engine = Engine(conv.live.loaded, conv.live.understander, conv.services)
            conv.state, actions = engine.step(conv.state, caller, self.now())
            conv.last_seen = self.monotonic()
            self._after(conv, caller, actions)
        if conv.state.ended:
            with self._lock:
                self._conversations.pop(conv.id, None)
        return _reply(conv, actions)

    def expire(self) -> int:
        """Close the conversations idle too long; how many were closed."""
        limit = self.monotonic() - self.settings.idle_s
        with self._lock:
            stale = [c for c in self._conversations.values() if c.last_seen <= limit]
            for conv in stale:
                del self._conversations[conv.id]
        for conv in stale:
            self._close(conv, "abandoned")
        return len(stale)

    def _after(self, conv: Conversation, caller: CallerInput | None,
               actions: list[Action]) -> None:
        turn = conv.state.transcript[-1]
        said = " ".join(a.text for a in actions if isinstance(a, Say))
        heard = caller.text if isinstance(caller, Utterance) else (
            f"[touches {caller.digits}]" if isinstance(caller, Digits) else "")
        try:
            with self.database.transaction() as s:
                if heard:
                    calls.add_turn(s, conv.id, "caller", heard, intent=turn.intent,
                                   confidence=turn.intent_confidence)
                if said:
                    calls.add_turn(s, conv.id, "assistant", said)
        except StorageError as err:
            log.warning("web chat %s: turn not recorded (%s)", conv.id, err)
        for event in turn_events(conv.id, turn):
            self.live.publish(event)
        transfer = next((a for a in actions if isinstance(a, Transfer)), None)
        if transfer is not None:
            self.live.publish(transfer_event(conv.id, transfer))
            self._end(conv, "transferred", transfer.queue, transfer.reason)
        elif any(isinstance(a, Hangup) for a in actions):
            self._close(conv, "callback" if "callback" in conv.services.done else "resolved")

    def _close(self, conv: Conversation, outcome: str) -> None:
        """End the record and take the conversation off the agents' live list (a transferred
        one ended at its transfer and stays on that list for the agents)."""
        self._end(conv, outcome, None, None)
        self.live.publish(CallEvent(conv.id, "end", reason=outcome))

    def _end(self, conv: Conversation, outcome: str, queue: str | None,
             reason: str | None) -> None:
        try:
            with self.database.transaction() as s:
                calls.end_call(s, conv.id, outcome, summary="conversation par le chat du site",
                               transfer_queue=queue, transfer_reason=reason)
        except StorageError as err:
            log.warning("web chat %s: end not recorded (%s)", conv.id, err)
