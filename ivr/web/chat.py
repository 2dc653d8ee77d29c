"""Web chat conversations: the published flow answering in a browser, kept in the database.

`ChatRooms` serves the conversations in progress, which live in the database
(`ivr.storage.chats`), so that any worker answers any request of any conversation: several
workers behind one address need no sticky sessions. At most `ChatSettings.max_conversations`
are kept, at most `per_client` per client address; one idle longer than `idle_s` seconds is
closed as abandoned. Making room for a new conversation only ever closes that client's own
oldest one: when every place is taken by others, the start is refused (`TooMany`). (Workers
starting conversations at the same instant may pass the caps by one or two.) Each
conversation plays the flow version published when it started, to its end, with
`DatabaseServices`, so an appointment, ticket or callback made in the chat is a real one.
Like a phone call it is recorded (`ivr.storage.calls`, texts masked by storage; no caller
number) and published to the `LiveHub` (start, turns, transfer, end), which the workers
relay to each other on PostgreSQL, so agents see it in their console whichever worker they
use. When the flow transfers, the conversation is handed over (`ivr.web.chat_handover`):
the record ends as transferred, the citizen's messages go to the agents' console instead of
the flow, an agent answers (`agent_writes`), the citizen's page receives the answers
(`replies`, streamed by `ivr.web.routes_chat`), and either side ends it (`end`).

Two requests of one conversation are answered one after the other within a worker; on two
workers at once, the second's change is refused (`Conflict`: send it again) rather than
overwriting the first's. A message is text (what the caller would say) or a keypad-like
choice (digits). Voice-only actions (speaking pace, barge-in) are ignored. Clocks are
injected: `clock` (wall-clock seconds, the same on every worker) drives expiry and the rate
limits, `now` gives the town hall's naive local time the engine reasons in. The rate limits
are counted by each worker. When no flow can be played, starting a chat raises
`ChatUnavailable` (logged once until a chat starts again). Blocking (NLU, database): call
from a worker thread.
"""

from __future__ import annotations

import logging
import secrets
import threading
import zlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from dialogs.engine import Engine
from dialogs.errors import FlowError
from dialogs.events import Action, CallerInput, Digits, Hangup, Say, Transfer, Utterance
from dialogs.hours import HoursFile
from dialogs.state import CallState
from ivr.flows_live import FlowRegistry, LiveFlow
from ivr.live import CallEvent, LiveHub
from ivr.live_events import transfer_event
from ivr.session.services_db import DatabaseServices
from ivr.storage import calls, chats
from ivr.storage.chats import ChatRow
from ivr.storage.database import Database
from ivr.storage.errors import Conflict, InvalidValue, NotFound
from ivr.web.chat_handover import (
    HANDED_OVER,
    Side,
    end_record,
    ended,
    open_handover,
    record,
    record_turns,
    replies_view,
)
from ivr.web.chat_settings import ChatSettings, ChatUnavailable, TooMany
from ivr.web.ratelimit import LoginLimiter

log = logging.getLogger(__name__)
LOCKS = 64
"""Locks that serialise the requests of one conversation within a worker (by id hash)."""
RETRIES = 5
"""Attempts of a small change (a reply, an end, a touch) against concurrent changes."""
GONE = "this conversation is over or has expired"


def _reply(row: ChatRow, state: CallState, actions: list[Action]) -> dict[str, Any]:
    """The answer to the citizen: `agent` tells the page to listen for the agent's replies."""
    says = [a.text for a in actions if isinstance(a, Say)]
    if any(isinstance(a, Transfer) for a in actions):
        says.append(HANDED_OVER)
    return {"id": row.id, "messages": says,
            "ended": state.ended if row.queue is None else row.ended_by is not None,
            "transfer": None if row.queue is None else {"queue": row.queue},
            "agent": row.queue is not None}


class ChatRooms:
    """The web chat's conversations (thread-safe)."""

    def __init__(self, settings: ChatSettings, database: Database, flows: FlowRegistry,
                 live: LiveHub, timezone: str, *, now: Callable[[], datetime],
                 clock: Callable[[], float]) -> None:
        self.settings = settings
        self.database = database
        self.flows = flows
        self.live = live
        self.timezone = timezone
        self.now = now
        self.clock = clock
        self.by_address = LoginLimiter(settings.per_address, settings.window_s, clock)
        self.by_conversation = LoginLimiter(settings.per_conversation, settings.window_s, clock)
        self.polls = LoginLimiter(settings.polls_per_conversation, settings.window_s, clock)
        self._locks = [threading.Lock() for _ in range(LOCKS)]
        self._lock = threading.Lock()
        self._unavailable = False

    def count(self) -> int:
        with self.database.transaction() as s:
            return chats.count(s)

    def _limit(self, limiter: LoginLimiter, key: str) -> None:
        wait = limiter.retry_after([key])
        if wait is not None:
            raise TooMany(wait)
        limiter.failure([key])

    def _serial(self, conversation_id: str) -> threading.Lock:
        return self._locks[zlib.crc32(conversation_id.encode()) % LOCKS]

    def _get(self, conversation_id: str) -> ChatRow | None:
        with self.database.transaction() as s:
            return chats.get(s, conversation_id)

    def _find(self, conversation_id: str) -> ChatRow:
        row = self._get(conversation_id)
        if row is None:
            raise NotFound(GONE)
        return row

    def _services(self, row: ChatRow, live: LiveFlow) -> DatabaseServices:
        services = DatabaseServices(self.database, live.loaded.hours or HoursFile(services={}),
                                    self.timezone, row.id)
        services.done = list(row.done)
        return services

    def start(self, address: str) -> dict[str, Any]:
        """Open a conversation: its id and the greeting."""
        self._limit(self.by_address, address)
        self.expire()
        digest = chats.client_hash(address)
        closing = self._room_for(digest)
        live = self._flow()
        call_id = "web-" + secrets.token_hex(8)
        with self.database.transaction() as s:
            calls.start_call(s, call_id, None)
        row = ChatRow(call_id, digest, live.name, live.version, "", self.clock())
        services = self._services(row, live)
        state, actions = Engine(live.loaded, live.understander, services).start(
            self.now(), call_id)
        self.live.publish(CallEvent(call_id, "start"))
        self._apply(row, state, services, actions)
        with self.database.transaction() as s:
            if not state.ended:
                chats.add(s, row)
        self._effects(row, state, services, None, actions)
        for old in closing:
            self._drop(old, "abandoned")
        return _reply(row, state, actions)

    def _room_for(self, digest: str) -> list[str]:
        """The client's own oldest conversations to close so that one more fits (past
        `per_client`, or past `max_conversations`); `TooMany` when the chat is full of other
        clients' conversations."""
        s = self.settings
        with self.database.transaction() as session:
            own = chats.of_client(session, digest)
            total = chats.count(session)
        excess = max(len(own) - s.per_client + 1, total - s.max_conversations + 1, 0)
        if excess > len(own):
            raise TooMany(max(1, round(s.window_s)), "the chat is full")
        return [conversation_id for conversation_id, _ in own[:excess]]

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

    def stage(self, conversation_id: str) -> str | None:
        """"flow" while the flow answers, "agent" once handed over (an agent may answer),
        "ended" when a side ended it; None for no chat in progress of that id."""
        row = self._get(conversation_id)
        if row is None:
            return None
        if row.queue is None:
            return "flow"
        return "agent" if row.ended_by is None else "ended"

    def say(self, address: str, conversation_id: str, text: str | None,
            choice: str | None) -> dict[str, Any]:
        """Play one message (to the agent once handed over); `NotFound` when the conversation
        is unknown or expired, `Conflict` when another worker changed it meanwhile."""
        self._limit(self.by_address, address)
        self.expire()
        self._find(conversation_id)
        self._limit(self.by_conversation, conversation_id)
        if not choice and not (text or "").strip():
            raise InvalidValue("a message needs a text or a choice")
        caller: CallerInput = Digits(choice) if choice else Utterance((text or "").strip())
        with self._serial(conversation_id):
            row = self._find(conversation_id)
            state = CallState.model_validate_json(row.state)
            if row.queue is not None:
                if row.ended_by is None:
                    self._touch(conversation_id)
                    record(self.database, self.live, row.id, "caller",
                           (text or "").strip() or f"choix {choice}")
                return _reply(row, state, [])
            live = self.flows.played(row.flow, row.flow_version)
            services = self._services(row, live)
            state, actions = Engine(live.loaded, live.understander, services).step(
                state, caller, self.now())
            self._apply(row, state, services, actions)
            with self.database.transaction() as s:
                stored = (chats.remove(s, row.id, row.revision) if state.ended
                          and row.queue is None else chats.save(s, row))
            if not stored:
                raise Conflict("this conversation changed meanwhile: send the message again")
            self._effects(row, state, services, caller, actions)
        return _reply(row, state, actions)

    def _apply(self, row: ChatRow, state: CallState, services: DatabaseServices,
               actions: list[Action]) -> None:
        """What a dialogue step changes in the stored conversation."""
        row.state = state.model_dump_json()
        row.done = list(services.done)
        row.last_seen = self.clock()
        transfer = next((a for a in actions if isinstance(a, Transfer)), None)
        if transfer is not None:
            row.queue = transfer.queue

    def _effects(self, row: ChatRow, state: CallState, services: DatabaseServices,
                 caller: CallerInput | None, actions: list[Action]) -> None:
        """Once the step is stored: its turns recorded and shown live, its end if it ended."""
        record_turns(self.database, self.live, row.id, state, caller, actions)
        transfer = next((a for a in actions if isinstance(a, Transfer)), None)
        if transfer is not None:
            self.live.publish(transfer_event(row.id, transfer))
            end_record(self.database, row.id, "transferred", transfer.queue, transfer.reason)
        elif any(isinstance(a, Hangup) for a in actions):
            outcome = "callback" if "callback" in services.done else "resolved"
            end_record(self.database, row.id, outcome, None, None)
            self.live.publish(CallEvent(row.id, "end", reason=outcome))

    def _change(self, conversation_id: str, change: Callable[[ChatRow], None]) -> ChatRow:
        """Apply a small change (it may raise `Conflict`), again on a fresh read when
        another worker changed the conversation meanwhile; `NotFound` once it is gone."""
        for _ in range(RETRIES):
            row = self._find(conversation_id)
            change(row)
            row.last_seen = self.clock()
            with self.database.transaction() as s:
                if chats.save(s, row):
                    return row
        raise Conflict("this conversation is changing too fast: try again")

    def _touch(self, conversation_id: str) -> ChatRow:
        return self._change(conversation_id, lambda row: None)

    def replies(self, address: str, conversation_id: str, after: int, *,
                limited: bool = True) -> dict[str, Any]:
        """The agent's replies from index `after` on, and whether it ended; `Conflict` while
        the conversation is not handed over. Fetching counts against the rate limits unless
        `limited` is false (a stream already counted)."""
        row = self._get(conversation_id)
        if row is None:
            if limited:
                self._limit(self.by_address, address)
            raise NotFound(GONE)
        if limited:
            self._limit(self.polls, conversation_id)
        if row.queue is None:
            raise Conflict("this conversation is not handed over to an agent")
        if row.ended_by is None:
            row = self._touch(conversation_id)
        view = replies_view(row, after)
        if view["ended"]:
            with self.database.transaction() as s:
                chats.remove(s, row.id)
        return view

    def agent_writes(self, conversation_id: str, text: str) -> dict[str, Any]:
        """An agent's reply to a handed-over conversation; `NotFound`, `Conflict` (not
        handed over, or already ended), `InvalidValue` (empty)."""
        message = text.strip()
        if not message:
            raise InvalidValue("a reply needs a text")

        def add(row: ChatRow) -> None:
            open_handover(row)
            row.replies.append(message)

        row = self._change(conversation_id, add)
        record(self.database, self.live, conversation_id, "agent", message)
        return {"id": conversation_id, "next": len(row.replies)}

    def end(self, conversation_id: str, side: Side, address: str | None = None) -> None:
        """End a conversation: the citizen may end any of theirs, an agent a handed-over one
        (the citizen's page then learns it)."""
        if address is not None:
            self._limit(self.by_address, address)
        row = self._find(conversation_id)
        if row.queue is None and side == "citizen":
            self._drop(conversation_id, "abandoned")
            return

        def close(row: ChatRow) -> None:
            open_handover(row)
            row.ended_by = side

        self._change(conversation_id, close)
        ended(self.live, conversation_id, side)
        if side == "citizen":
            with self.database.transaction() as s:
                chats.remove(s, conversation_id)

    def expire(self) -> int:
        """Close the conversations idle too long; how many this worker closed."""
        before = self.clock() - self.settings.idle_s
        with self.database.transaction() as s:
            stale = chats.stale_ids(s, before)
        closed = 0
        for conversation_id in stale:
            with self.database.transaction() as s:
                row = chats.claim_stale(s, conversation_id, before)
            if row is not None:
                self._close(row, "abandoned")
                closed += 1
        return closed

    def _drop(self, conversation_id: str, outcome: str) -> None:
        """Delete a conversation and close it, unless another request already did."""
        with self.database.transaction() as s:
            row = chats.get(s, conversation_id)
            gone = row is not None and chats.remove(s, conversation_id)
        if row is not None and gone:
            self._close(row, outcome)

    def _close(self, row: ChatRow, outcome: str) -> None:
        """End the record and take the conversation off the agents' live list (a handed-over
        one ended as transferred at its transfer: only the list changes)."""
        if row.queue is None:
            end_record(self.database, row.id, outcome, None, None)
            self.live.publish(CallEvent(row.id, "end", reason=outcome))
        elif row.ended_by is None:
            self.live.publish(CallEvent(row.id, "end", reason=outcome))
