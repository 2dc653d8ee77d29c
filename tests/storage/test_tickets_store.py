"""Incident tickets: references are human-friendly and unique, even when opened together."""

from __future__ import annotations

import re

import pytest

from ivr.storage import tickets
from ivr.storage.database import Database
from ivr.storage.errors import InvalidValue, NotFound
from ivr.storage.types import utc_now
from tests.storage.concurrency import run_together


def test_tickets_get_successive_references_and_masked_text(database: Database) -> None:
    year = utc_now().year
    with database.transaction() as s:
        first = tickets.open_ticket(s, category="eclairage", description="lampadaire éteint",
                                    location="rue des Lilas", phone="+33612345678")
        second = tickets.open_ticket(
            s, category="voirie", description="trou, rappelez le 06 12 34 56 78")
    assert first.reference == f"SIG-{year}-000001"
    assert second.reference == f"SIG-{year}-000002"
    assert first.phone == "0612345678" and first.status == "open"
    assert second.description == "trou, rappelez le [téléphone]"
    with database.transaction() as s:
        assert tickets.find_by_reference(s, f"sig-{year}-000002 ").id == second.id


def test_concurrent_tickets_never_share_a_reference(database: Database) -> None:
    def open_one(i: int) -> str:
        with database.transaction() as s:
            return tickets.open_ticket(s, category="voirie", description=f"nid {i}").reference

    outcomes = run_together(8, open_one)
    refs = [o for o in outcomes if isinstance(o, str)]
    assert len(refs) == 8, outcomes
    assert all(re.fullmatch(r"SIG-\d{4}-\d{6}", r) for r in refs)
    assert sorted(int(r[-6:]) for r in refs) == list(range(1, 9))


def test_agents_update_status_and_notes(database: Database) -> None:
    with database.transaction() as s:
        ticket = tickets.open_ticket(s, category="voirie", description="trou")
        tickets.update_ticket(s, ticket.id, by="agent1", status="in_progress")
        updated = tickets.update_ticket(s, ticket.id, by="agent2", notes="équipe prévenue")
    assert updated.status == "in_progress" and updated.notes == "équipe prévenue"
    assert updated.updated_by == "agent2"
    with database.transaction() as s:
        assert [t.id for t in tickets.list_tickets(s, status="in_progress")] == [ticket.id]
        assert tickets.list_tickets(s, status="closed") == []


def test_bad_ticket_input_is_refused(database: Database) -> None:
    with database.transaction() as s:
        with pytest.raises(InvalidValue):
            tickets.open_ticket(s, category="", description="x")
        with pytest.raises(InvalidValue):
            tickets.open_ticket(s, category="voirie", description="   ")
        with pytest.raises(NotFound):
            tickets.open_ticket(s, category="voirie", description="x", call_id="nope")
        ticket = tickets.open_ticket(s, category="voirie", description="x")
        with pytest.raises(InvalidValue):
            tickets.update_ticket(s, ticket.id, by="a", status="lost")
        with pytest.raises(InvalidValue):
            tickets.update_ticket(s, ticket.id, by="a", notes="x" * 5001)
        with pytest.raises(NotFound):
            tickets.update_ticket(s, 999, by="a", status="closed")
        with pytest.raises(InvalidValue):
            tickets.list_tickets(s, status="lost")
        with pytest.raises(NotFound):
            tickets.find_by_reference(s, "SIG-1999-000001")
