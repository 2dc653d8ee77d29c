"""Web chats in progress in the database, on SQLite and PostgreSQL: a change read before
another worker's change is refused (never overwrites it), an expired conversation is closed by
one worker only, the client address is not stored, and the row goes with its call."""

from __future__ import annotations

from sqlalchemy import delete

from ivr.storage import calls, chats
from ivr.storage.chats import ChatRow
from ivr.storage.database import Database
from ivr.storage.models import Call, ChatConversation


def _conversation(database: Database, conversation_id: str, last_seen: float) -> ChatRow:
    row = ChatRow(conversation_id, chats.client_hash("192.0.2.7"), "mairie", 3, "{}", last_seen)
    with database.transaction() as s:
        calls.start_call(s, conversation_id, None)
        chats.add(s, row)
    return row


def test_a_change_made_meanwhile_by_another_worker_is_not_overwritten(database: Database) -> None:
    _conversation(database, "web-1", 100.0)
    with database.transaction() as s:
        on_a = chats.get(s, "web-1")
        on_b = chats.get(s, "web-1")
    assert on_a is not None and on_b is not None
    on_a.replies.append("Bonjour, ici l’accueil.")
    on_b.ended_by = "citizen"
    with database.transaction() as s:
        assert chats.save(s, on_a)
    with database.transaction() as s:
        assert not chats.save(s, on_b)  # read before A's change
        assert not chats.remove(s, "web-1", on_b.revision)
        stored = chats.get(s, "web-1")
    assert stored is not None
    assert (stored.replies, stored.ended_by, stored.revision) == (
        ["Bonjour, ici l’accueil."], None, 1)


def test_an_expired_conversation_is_claimed_once_and_a_used_one_not_at_all(
    database: Database
) -> None:
    _conversation(database, "web-old", 100.0)
    _conversation(database, "web-new", 900.0)
    with database.transaction() as s:
        assert chats.stale_ids(s, 500.0) == ["web-old"]
        claimed = chats.claim_stale(s, "web-old", 500.0)
        assert chats.claim_stale(s, "web-old", 500.0) is None  # the other worker's try
        assert chats.claim_stale(s, "web-new", 500.0) is None  # used since
        assert chats.count(s) == 1
    assert claimed is not None and claimed.flow_version == 3


def test_the_client_address_is_kept_only_as_a_digest_and_the_row_goes_with_its_call(
    database: Database
) -> None:
    _conversation(database, "web-1", 100.0)
    with database.transaction() as s:
        stored = s.get(ChatConversation, "web-1")
        assert stored is not None and "192.0.2.7" not in stored.client_hash
        assert chats.of_client(s, chats.client_hash("192.0.2.7")) == [("web-1", 100.0)]
        assert chats.of_client(s, chats.client_hash("192.0.2.8")) == []
    with database.transaction() as s:
        s.execute(delete(Call).where(Call.id == "web-1"))  # the retention purge's way
    with database.transaction() as s:
        assert chats.get(s, "web-1") is None
