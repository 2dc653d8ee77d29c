"""A first start says how to create the first admin. An upgrade (`git pull`, then the service
started again): a database left at the oldest
migration, with a town hall's data in it, is migrated forward by the service itself when it
starts, and keeps everything: calls and their turns, accounts (their passwords still work),
flow versions, recorded prompts, callback requests. On SQLite and on PostgreSQL."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from argon2 import PasswordHasher

from ivr.storage import callbacks, calls, flows, prompts, users
from ivr.storage.database import Database
from ivr.storage.migrate import alembic_config, current_revision, head_revision
from ivr.storage.types import UTCDateTime
from tests.session.conftest import ServiceFactory

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
OLD_FLOW = """\
name: Mairie (version d'avant la mise à jour)
start: bonjour
fallback:
  escalate: fin
  give_up: fin
nodes:
  bonjour:
    type: say
    say: Bonjour, vous êtes bien à la mairie.
    next: fin
  fin:
    type: hangup
    say: Au revoir.
"""
WAV = (b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00\x80>\x00\x00"
       b"\x02\x00\x10\x00data\x00\x00\x00\x00")


def _table(name: str, *columns: sa.Column[object]) -> sa.TableClause:
    return sa.table(name, *columns)


def fill_oldest_schema(database: Database) -> None:
    """Data written as the first version wrote it (revision 0001's tables)."""
    call = _table("calls", sa.column("id"), sa.column("caller_number"),
                  sa.column("started_at", UTCDateTime()), sa.column("ended_at", UTCDateTime()),
                  sa.column("outcome"), sa.column("transfer_queue"),
                  sa.column("transfer_reason"), sa.column("summary"))
    turn = _table("turns", sa.column("call_id"), sa.column("seq"),
                  sa.column("at", UTCDateTime()), sa.column("speaker"), sa.column("text"),
                  sa.column("intent"), sa.column("confidence"))
    user = _table("users", sa.column("username"), sa.column("password_hash"),
                  sa.column("role"), sa.column("active"), sa.column("created_at", UTCDateTime()))
    flow = _table("flow_versions", sa.column("name"), sa.column("version"),
                  sa.column("yaml_text"), sa.column("author"),
                  sa.column("created_at", UTCDateTime()), sa.column("published"))
    prompt = _table("recorded_prompts", sa.column("prompt_id"), sa.column("wav"),
                    sa.column("uploaded_by"), sa.column("uploaded_at", UTCDateTime()))
    callback = _table("callback_requests", sa.column("phone"), sa.column("name"),
                      sa.column("reason"), sa.column("queue"), sa.column("call_id"),
                      sa.column("status"), sa.column("requested_at", UTCDateTime()))
    with database.engine.begin() as connection:
        connection.execute(sa.insert(call), [
            {"id": "c-1", "caller_number": "0612345678", "started_at": AT, "ended_at": AT,
             "outcome": "transferred", "transfer_queue": "etat_civil",
             "transfer_reason": "acte introuvable", "summary": "Acte de naissance."},
            {"id": "web-0123456789abcdef", "caller_number": None, "started_at": AT,
             "ended_at": AT, "outcome": "resolved", "transfer_queue": None,
             "transfer_reason": None, "summary": None}])
        connection.execute(sa.insert(turn), [
            {"call_id": "c-1", "seq": 1, "at": AT, "speaker": "caller",
             "text": "je voudrais un acte de naissance", "intent": "etat_civil",
             "confidence": 0.83},
            {"call_id": "web-0123456789abcdef", "seq": 1, "at": AT, "speaker": "caller",
             "text": "horaires de la mairie", "intent": "horaires", "confidence": 0.91}])
        connection.execute(sa.insert(user), [
            {"username": "marie", "password_hash": HASHER.hash("marie's long password"),
             "role": "admin", "active": True, "created_at": AT}])
        connection.execute(sa.insert(flow), [
            {"name": "mairie", "version": 1, "yaml_text": OLD_FLOW, "author": "marie",
             "created_at": AT, "published": True}])
        connection.execute(sa.insert(prompt), [
            {"prompt_id": "accueil", "wav": WAV, "uploaded_by": "marie", "uploaded_at": AT}])
        connection.execute(sa.insert(callback), [
            {"phone": "0612345678", "name": "Mme Martin", "reason": "carte d'identité",
             "queue": "etat_civil", "call_id": "c-1", "status": "pending",
             "requested_at": AT}])


async def test_the_service_migrates_an_old_database_forward_and_keeps_its_data(
    database: Database, make_service: ServiceFactory
) -> None:
    command.downgrade(alembic_config(database.engine), "base")
    command.upgrade(alembic_config(database.engine), "0001")
    fill_oldest_schema(database)
    assert current_revision(database.engine) == "0001"
    async with make_service(database_url=database.settings.url) as service:
        assert "database" not in service.missing
        # revision 0001 kept a flow's main file only, without its intents file: that version
        # cannot be played now; calls play the flow file meanwhile, and nothing is lost
        playing = service.flows.current("mairie")
        assert playing.loaded.flow.name == "Mairie de Saint-Aubin-sur-Loire"
    assert current_revision(database.engine) == head_revision()
    with database.transaction() as s:
        call = calls.get_call(s, "c-1")
        chat = calls.get_call(s, "web-0123456789abcdef")
        marie = users.authenticate(s, HASHER, "marie", "marie's long password")
        versions = flows.list_versions(s, "mairie")
        prompt = prompts.get_prompt(s, "accueil")
        [request] = callbacks.list_callbacks(s)
    assert call.outcome == "transferred" and call.summary == "Acte de naissance."
    assert call.transfer_agent is None  # a later column, empty for old calls
    [turn] = call.turns
    assert turn.text == "je voudrais un acte de naissance" and turn.confidence == 0.83
    [typed] = chat.turns  # 0004: a web chat's confidence was the understander's
    assert typed.confidence is None and typed.intent_confidence == 0.91
    assert marie is not None and marie.role == "admin" and marie.phone is None
    assert [(v.version, v.published, v.yaml_text) for v in versions] == [(1, True, OLD_FLOW)]
    assert prompt.wav == WAV
    assert request.name == "Mme Martin" and request.call_id == "c-1"


async def test_a_first_start_says_how_to_create_the_first_admin_and_then_no_more(
    make_service: ServiceFactory, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "ivr.service"):
        async with make_service() as service:
            assert service.resources is not None and service.resources.database is not None
            database = service.resources.database
            await database.run(users.create_user, HASHER, "marie", "marie's long password",
                               "admin")
        told = [r.getMessage() for r in caplog.records if "no back-office account" in
                r.getMessage()]
        assert len(told) == 1 and "ivr users add NAME --role admin" in told[0]
        caplog.clear()
        async with make_service():
            pass
    assert "no back-office account" not in caplog.text
