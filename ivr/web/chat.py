"""Web chat conversations: the published flow answering in a browser, kept in memory.

`ChatRooms` holds the conversations in progress (at most `ChatSettings.max_conversations`,
at most `per_client` per client address; one idle longer than `idle_s` seconds is closed as
abandoned). Making room for a new conversation only ever closes that client's own oldest
one: when every place is taken by others, the start is refused (`TooMany`). Each conversation
plays the flow published when it started (`FlowRegistry.current`), with `DatabaseServices`, so
an appointment, ticket or callback made in the chat is a real one. Like a phone call it is
recorded (`ivr.storage.calls`, texts masked by storage; no caller number) and published to
the `LiveHub` (start, turns, transfer, end), so agents see it in their console. When the
flow transfers, the conversation is handed over (`ivr.web.chat_handover`): the record ends
as transferred, the citizen's messages go to the agents' console instead of the flow, an
agent answers (`agent_writes`), the citizen's page fetches the answers (`replies`), and
either side ends it (`end`), which takes it off the agents' live list.

A message is text (what the caller would say) or a keypad-like choice (digits). Voice-only
actions (speaking pace, barge-in) are ignored. Clocks are injected: `monotonic` (seconds)
drives expiry and the rate limits, `now` gives the town hall's naive local time the engine
reasons in. When no flow can be played, starting a chat raises `ChatUnavailable` (logged
once until a chat starts again). Blocking (NLU, database): call from a worker thread.
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
from dialogs.errors import FlowError
from dialogs.events import Action, CallerInput, Digits, Hangup, Say, Transfer, Utterance
from dialogs.hours import HoursFile
from dialogs.state import CallState
from ivr.flows_live import FlowRegistry, LiveFlow
from ivr.live import CallEvent, LiveHub
from ivr.live_events import transfer_event, turn_events
from ivr.session.services_db import DatabaseServices
from ivr.storage import calls
from ivr.storage.database import Database
from ivr.storage.errors import Conflict, InvalidValue, NotFound, StorageError
from ivr.web.chat_handover import HandOver, Side, ended, record
from ivr.web.chat_settings import ChatSettings, ChatUnavailable, TooMany
from ivr.web.ratelimit import LoginLimiter

log = logging.getLogger(__name__)
HANDED_OVER = ("Votre demande est transmise à un conseiller de la mairie, qui vous répondra "
               "ici dès que possible. Vous pouvez continuer à écrire.")


@dataclass(slots=True)
class Conversation:
    id: str
    live: LiveFlow
    services: DatabaseServices
    state: CallState
    last_seen: float
    address: str
    """The client address that started it (the per-client cap counts by it)."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    handover: HandOver | None = None
    """Set once the flow transferred the conversation to an agent."""


def _reply(conv: Conversation, actions: list[Action]) -> dict[str, Any]:
    """The answer to the citizen: `agent` tells the page to fetch the agent's replies."""
    says = [a.text for a in actions if isinstance(a, Say)]
    transfer = next((a for a in actions if isinstance(a, Transfer)), None)
    if transfer is not None:
        says.append(HANDED_OVER)
    over = conv.handover
    return {"id": conv.id, "messages": says,
            "ended": conv.state.ended if over is None else over.ended_by is not None,
            "transfer": None if over is None else {"queue": over.queue},
            "agent": over is not None}


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
        self.polls = LoginLimiter(settings.polls_per_conversation, settings.window_s,
                                  monotonic)
        self._conversations: dict[str, Conversation] = {}
        self._lock = threading.Lock()
        self._unavailable = False

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
        with self._lock:
            self._room_for(address, dry_run=True)
        live = self._flow()
        call_id = "web-" + secrets.token_hex(8)
        with self.database.transaction() as s:
            calls.start_call(s, call_id, None)
        services = DatabaseServices(self.database, live.loaded.hours or HoursFile(services={}),
                                    self.timezone, call_id)
        engine = Engine(live.loaded, live.understander, services)
        state, actions = engine.start(self.now(), call_id)
        conv = Conversation(call_id, live, services, state, self.monotonic(), address)
        self.live.publish(CallEvent(call_id, "start"))
        self._after(conv, None, actions)
        try:
            with self._lock:
                closed = self._room_for(address, dry_run=False)
                self._conversations[call_id] = conv
        except TooMany:  # others took the last places meanwhile
            self._close(conv, "abandoned")
            raise
        for old in closed:
            self._close(old, "abandoned")
        return _reply(conv, actions)

    def _room_for(self, address: str, *, dry_run: bool) -> list[Conversation]:
        """Make room for one more conversation of `address` (under `_lock`): take off its own
        oldest ones past `per_client`, or past `max_conversations`; `TooMany` when the chat is
        full of other clients' conversations. Returns those taken off (to close), none when
        `dry_run`."""
        s = self.settings
        own = sorted((c for c in self._conversations.values() if c.address == address),
                     key=lambda c: c.last_seen)
        excess = max(len(own) - s.per_client + 1,
                     len(self._conversations) - s.max_conversations + 1, 0)
        if excess > len(own):
            raise TooMany(max(1, round(s.window_s)), "the chat is full")
        if dry_run:
            return []
        for conv in own[:excess]:
            del self._conversations[conv.id]
        return own[:excess]

    def _flow(self) -> LiveFlow:
        try:
            live = self.flows.current(self.settings.flow)
        except FlowError as err:
            with self._lock:
                first, self._unavailable = not self._unavailable, True
            if first:
                log.error("web chat unavailable: flow %s cannot be played (%s)",
                          self.settings.flow, err)
            raise ChatUnavailable(f"flow {self.settings.flow} cannot be played") from err
        with self._lock:
            self._unavailable = False
        return live

    def _find(self, conversation_id: str) -> Conversation:
        with self._lock:
            conv = self._conversations.get(conversation_id)
        if conv is None:
            raise NotFound("this conversation is over or has expired")
        return conv

    def stage(self, conversation_id: str) -> str | None:
        """"flow" while the flow answers, "agent" once handed over (an agent may answer),
        "ended" when a side ended it; None for no chat in progress of that id."""
        with self._lock:
            conv = self._conversations.get(conversation_id)
        if conv is None:
            return None
        if conv.handover is None:
            return "flow"
        return "agent" if conv.handover.ended_by is None else "ended"

    def say(self, address: str, conversation_id: str, text: str | None,
            choice: str | None) -> dict[str, Any]:
        """Play one message (to the agent once handed over); `NotFound` when the conversation
        is unknown or expired."""
        self._limit(self.by_address, address)
        self.expire()
        conv = self._find(conversation_id)
        self._limit(self.by_conversation, conversation_id)
        if not choice and not (text or "").strip():
            raise InvalidValue("a message needs a text or a choice")
        caller: CallerInput = Digits(choice) if choice else Utterance((text or "").strip())
        with conv.lock:
            if conv.handover is not None:
                if conv.handover.ended_by is None:
                    conv.last_seen = self.monotonic()
                    record(self.database, self.live, conv.id, "caller",
                           (text or "").strip() or f"choix {choice}")
                return _reply(conv, [])
            if conv.state.ended:
                return _reply(conv, [])
            engine = Engine(conv.live.loaded, conv.live.understander, conv.services)
            conv.state, actions = engine.step(conv.state, caller, self.now())
            conv.last_seen = self.monotonic()
            self._after(conv, caller, actions)
        if conv.state.ended and conv.handover is None:
            with self._lock:
                self._conversations.pop(conv.id, None)
        return _reply(conv, actions)

    def replies(self, address: str, conversation_id: str, after: int) -> dict[str, Any]:
        """The agent's replies from index `after` on (the citizen's page asks every few
        seconds); `Conflict` while the conversation is not handed over."""
        with self._lock:
            conv = self._conversations.get(conversation_id)
        if conv is None:
            self._limit(self.by_address, address)
            raise NotFound("this conversation is over or has expired")
        self._limit(self.polls, conversation_id)
        with conv.lock:
            if conv.handover is None:
                raise Conflict("this conversation is not handed over to an agent")
            conv.last_seen = self.monotonic()
            view = conv.handover.view(conv.id, after)
        if view["ended"]:
            with self._lock:
                self._conversations.pop(conv.id, None)
        return view

    def agent_writes(self, conversation_id: str, text: str) -> dict[str, Any]:
        """An agent's reply to a handed-over conversation; `NotFound`, `Conflict` (not
        handed over, or already ended), `InvalidValue` (empty)."""
        message = text.strip()
        if not message:
            raise InvalidValue("a reply needs a text")
        conv = self._find(conversation_id)
        with conv.lock:
            over = self._open_handover(conv)
            record(self.database, self.live, conv.id, "agent", message)
            over.replies.append(message)
            conv.last_seen = self.monotonic()
            return {"id": conv.id, "next": len(over.replies)}

    def end(self, conversation_id: str, side: Side, address: str | None = None) -> None:
        """End a conversation: the citizen may end any of theirs, an agent a handed-over one
        (the citizen's page then learns it at its next fetch)."""
        if address is not None:
            self._limit(self.by_address, address)
        conv = self._find(conversation_id)
        with conv.lock:
            if conv.handover is None and side == "citizen":
                forget = True
            else:
                self._open_handover(conv).ended_by = side
                ended(self.live, conv.id, side)
                forget = side == "citizen"
        if forget:
            with self._lock:
                self._conversations.pop(conv.id, None)
            if conv.handover is None:
                self._close(conv, "abandoned")

    @staticmethod
    def _open_handover(conv: Conversation) -> HandOver:
        if conv.handover is None:
            raise Conflict("this conversation is not handed over to an agent")
        if conv.handover.ended_by is not None:
            raise Conflict("this conversation has ended")
        return conv.handover

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
                                   intent_confidence=turn.intent_confidence)
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
            conv.handover = HandOver(transfer.queue)
        elif any(isinstance(a, Hangup) for a in actions):
            self._close(conv, "callback" if "callback" in conv.services.done else "resolved")

    def _close(self, conv: Conversation, outcome: str) -> None:
        """End the record and take the conversation off the agents' live list (a handed-over
        one ended as transferred at its transfer: only the list changes)."""
        if conv.handover is None:
            self._end(conv, outcome, None, None)
            self.live.publish(CallEvent(conv.id, "end", reason=outcome))
        elif conv.handover.ended_by is None:
            conv.handover.ended_by = "citizen"
            self.live.publish(CallEvent(conv.id, "end", reason=outcome))

    def _end(self, conv: Conversation, outcome: str, queue: str | None,
             reason: str | None) -> None:
        try:
            with self.database.transaction() as s:
                calls.end_call(s, conv.id, outcome, summary="conversation par le chat du site",
                               transfer_queue=queue, transfer_reason=reason)
        except StorageError as err:
            log.warning("web chat %s: end not recorded (%s)", conv.id, err)
