"""Callback requests, flow versions and recorded prompts."""

from __future__ import annotations

import pytest

from ivr.storage import callbacks, flows, prompts
from ivr.storage.database import Database
from ivr.storage.errors import Conflict, InvalidValue, NotFound
from tests.storage.wavs import wav_bytes

FLOW = "name: accueil\nsteps:\n  - say: Bonjour\n"


def test_callbacks_wait_oldest_first_until_marked_done(database: Database) -> None:
    with database.transaction() as s:
        first = callbacks.request_callback(s, phone="06.12.34.56.78", reason="état civil",
                                           name="M. Durand", queue="etat-civil")
        second = callbacks.request_callback(s, phone="0145678912", reason="cantine")
    with database.transaction() as s:
        assert [c.id for c in callbacks.list_callbacks(s, status="pending")] == [first.id,
                                                                                  second.id]
        done = callbacks.mark_done(s, first.id, by="agent1")
    assert done.status == "done" and done.done_by == "agent1" and done.done_at is not None
    with database.transaction() as s:
        assert [c.id for c in callbacks.list_callbacks(s, status="pending")] == [second.id]
        with pytest.raises(Conflict):
            callbacks.mark_done(s, first.id, by="agent2")
        with pytest.raises(NotFound):
            callbacks.mark_done(s, 999, by="agent2")
        with pytest.raises(InvalidValue):
            callbacks.request_callback(s, phone="1", reason="x")
        with pytest.raises(InvalidValue):
            callbacks.request_callback(s, phone="0612345678", reason=" ")
        with pytest.raises(InvalidValue):
            callbacks.list_callbacks(s, status="forgotten")


def test_flow_versions_are_numbered_and_one_is_published(database: Database) -> None:
    with database.transaction() as s:
        v1 = flows.save_version(s, "accueil", FLOW, author="admin")
        v2 = flows.save_version(s, "accueil", FLOW + "  - say: Au revoir\n", author="admin")
        other = flows.save_version(s, "urbanisme", FLOW, author="admin")
        assert (v1.version, v2.version, other.version) == (1, 2, 1)
        assert flows.published(s, "accueil") is None
        flows.publish(s, "accueil", 1)
        flows.publish(s, "urbanisme", 1)
    with database.transaction() as s:
        flows.publish(s, "accueil", 2)
    with database.transaction() as s:
        current = flows.published(s, "accueil")
        assert current is not None and current.version == 2
        states = {(f.name, f.version): f.published for f in flows.list_versions(s)}
    assert states == {("accueil", 2): True, ("accueil", 1): False, ("urbanisme", 1): True}


def test_bad_flows_are_refused(database: Database) -> None:
    with database.transaction() as s:
        with pytest.raises(InvalidValue):
            flows.save_version(s, "Accueil Principal", FLOW, author="admin")
        with pytest.raises(InvalidValue):
            flows.save_version(s, "accueil", "steps: [unclosed", author="admin")
        with pytest.raises(InvalidValue):
            flows.save_version(s, "accueil", "- just\n- a list\n", author="admin")
        with pytest.raises(NotFound):
            flows.publish(s, "accueil", 3)
        assert flows.list_versions(s) == []


def test_recorded_prompts_are_checked_and_replaced(database: Database) -> None:
    with database.transaction() as s:
        prompts.save_prompt(s, "accueil.bonjour", wav_bytes(), uploaded_by="admin")
        replaced = prompts.save_prompt(s, "accueil.bonjour", wav_bytes(16000), uploaded_by="bob")
    assert replaced.uploaded_by == "bob"
    with database.transaction() as s:
        assert prompts.get_prompt(s, "accueil.bonjour").wav == wav_bytes(16000)
        assert prompts.prompt_ids(s) == ["accueil.bonjour"]
        for bad in (b"not a wav", wav_bytes(channels=2), wav_bytes(width=1),
                    wav_bytes(rate=4000), wav_bytes(seconds=61)):
            with pytest.raises(InvalidValue):
                prompts.save_prompt(s, "x", bad, uploaded_by="admin")
        with pytest.raises(InvalidValue):
            prompts.save_prompt(s, "../etc/passwd", wav_bytes(), uploaded_by="admin")
        prompts.delete_prompt(s, "accueil.bonjour")
        with pytest.raises(NotFound):
            prompts.get_prompt(s, "accueil.bonjour")
