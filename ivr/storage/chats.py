"""Web chats in progress, in the database (table `chat_conversations`), shared by the workers.

A `ChatRow` is one conversation as stored: the dialogue state as JSON, what it obtained,
the service queue once handed over to an agent, the agents' replies, who ended it, and the
wall-clock second of its last request (`last_seen`, epoch seconds: the same on every
worker). Changes are optimistic: `save` writes only if the row still has the revision it
was read with, so a change made meanwhile by another worker is never overwritten (the
caller reads again or gives up). Client addresses are stored as SHA-256 digests. A row is
deleted when its conversation ends or expires (and with its call record); `claim_stale`
deletes an expired row only once, whichever worker gets there first.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ivr.storage.models import Call, ChatConversation


def client_hash(address: str) -> str:
    return hashlib.sha256(f"chat:{address}".encode()).hexdigest()


@dataclass(slots=True)
class ChatRow:
    id: str
    client_hash: str
    flow: str
    flow_version: int | None
    state: str
    """`dialogs.state.CallState` as JSON."""
    last_seen: float
    done: list[str] = field(default_factory=list)
    queue: str | None = None
    replies: list[str] = field(default_factory=list)
    ended_by: str | None = None
    revision: int = 0


def _row(stored: ChatConversation) -> ChatRow:
    return ChatRow(stored.id, stored.client_hash, stored.flow, stored.flow_version,
                   stored.state, stored.last_seen, list(json.loads(stored.done)),
                   stored.queue, list(json.loads(stored.replies)), stored.ended_by,
                   stored.revision)


def add(session: Session, row: ChatRow) -> None:
    session.add(ChatConversation(
        id=row.id, client_hash=row.client_hash, flow=row.flow, flow_version=row.flow_version,
        state=row.state, done=json.dumps(row.done), queue=row.queue,
        replies=json.dumps(row.replies, ensure_ascii=False), ended_by=row.ended_by,
        last_seen=row.last_seen, revision=row.revision))
    session.flush()


def get(session: Session, conversation_id: str) -> ChatRow | None:
    stored = session.get(ChatConversation, conversation_id)
    return None if stored is None else _row(stored)


def save(session: Session, row: ChatRow) -> bool:
    """Write `row` if nobody changed it since it was read (then its revision is bumped);
    False when it changed meanwhile or is gone."""
    written = session.execute(
        update(ChatConversation)
        .where(ChatConversation.id == row.id, ChatConversation.revision == row.revision)
        .values(state=row.state, done=json.dumps(row.done), queue=row.queue,
                replies=json.dumps(row.replies, ensure_ascii=False), ended_by=row.ended_by,
                last_seen=row.last_seen, revision=row.revision + 1)
        .execution_options(synchronize_session=False))
    if written.rowcount != 1:  # type: ignore[attr-defined]
        return False
    row.revision += 1
    return True


def remove(session: Session, conversation_id: str, revision: int | None = None) -> bool:
    """Delete a conversation (only if it still has `revision`, when given); False when it
    was already gone (or changed meanwhile)."""
    where = [ChatConversation.id == conversation_id]
    if revision is not None:
        where.append(ChatConversation.revision == revision)
    gone = session.execute(delete(ChatConversation).where(*where))
    return bool(gone.rowcount)  # type: ignore[attr-defined]


def of_client(session: Session, digest: str) -> list[tuple[str, float]]:
    """(id, last_seen) of one client's conversations, least recently used first (the
    oldest first among those used at the same second)."""
    rows = session.execute(select(ChatConversation.id, ChatConversation.last_seen)
                           .join(Call, Call.id == ChatConversation.id)
                           .where(ChatConversation.client_hash == digest)
                           .order_by(ChatConversation.last_seen, Call.started_at))
    return [(str(i), float(seen)) for i, seen in rows]


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(ChatConversation)) or 0)


def stale_ids(session: Session, before: float, limit: int = 100) -> list[str]:
    """Conversations whose last request is at or before `before` (oldest first)."""
    rows = session.scalars(select(ChatConversation.id)
                           .where(ChatConversation.last_seen <= before)
                           .order_by(ChatConversation.last_seen).limit(limit))
    return list(rows)


def claim_stale(session: Session, conversation_id: str, before: float) -> ChatRow | None:
    """Delete a conversation still idle since `before` and return it, for its closing;
    None when another worker took it or it was used meanwhile."""
    stored = session.get(ChatConversation, conversation_id)
    if stored is None or stored.last_seen > before:
        return None
    row = _row(stored)
    gone = session.execute(delete(ChatConversation).where(
        ChatConversation.id == conversation_id, ChatConversation.revision == row.revision))
    return row if gone.rowcount == 1 else None  # type: ignore[attr-defined]
