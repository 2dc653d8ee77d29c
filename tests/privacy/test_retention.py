"""Retention purge and the rights of a person over data linked to their phone number."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ivr.privacy.purge import purge_expired_data
from ivr.privacy.subject import erase_phone, export_phone
from ivr.storage import appointments, callbacks, calls, options, tickets
from ivr.storage.appointments import OpeningPeriod, ServiceHours
from ivr.storage.database import Database
from ivr.storage.errors import InvalidValue, NotFound
from ivr.storage.types import utc_now

HOURS = ServiceHours("etat-civil", tuple(OpeningPeriod(d, time(9), time(12)) for d in range(5)))
PARIS = ZoneInfo("Europe/Paris")


def next_monday_at_nine() -> datetime:
    today = date.today()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, time(9), PARIS)


def test_purge_removes_old_transcripts_and_keeps_bookings(database: Database) -> None:
    now = utc_now()
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    with database.transaction() as s:
        calls.start_call(s, "old", "0612345678", started_at=old)
        calls.add_turn(s, "old", "caller", "je voudrais un rendez-vous", at=old)
        calls.end_call(s, "old", "resolved", ended_at=old)
        booking = appointments.book(s, HOURS, next_monday_at_nine(), name="Mme Martin",
                                    phone="0612345678", call_id="old")
        calls.start_call(s, "recent", "0698765432", started_at=recent)
        calls.add_turn(s, "recent", "caller", "bonjour", at=recent)
        done = callbacks.request_callback(s, phone="0612345678", reason="cantine")
        callbacks.mark_done(s, done.id, by="agent")
        callbacks.request_callback(s, phone="0612345678", reason="toujours en attente")
    with database.transaction() as s:
        report = purge_expired_data(s, now=now + timedelta(days=1))
    assert (report.calls, report.turns, report.callbacks) == (1, 1, 0)
    with database.transaction() as s:
        with pytest.raises(NotFound):
            calls.get_call(s, "old")
        assert len(calls.get_call(s, "recent").turns) == 1
        kept = appointments.list_appointments(s)
        assert [a.id for a in kept] == [booking.id] and kept[0].call_id is None
        assert len(callbacks.list_callbacks(s)) == 2
    with database.transaction() as s:
        later = purge_expired_data(s, now=now + timedelta(days=40))
    assert (later.calls, later.turns, later.callbacks) == (1, 1, 1)
    with database.transaction() as s:
        assert calls.list_calls(s) == []
        assert [c.status for c in callbacks.list_callbacks(s)] == ["pending"]
        assert len(appointments.list_appointments(s)) == 1


def test_purge_follows_the_retention_option(database: Database) -> None:
    now = utc_now()
    with database.transaction() as s:
        calls.start_call(s, "c", None, started_at=now - timedelta(days=10))
        options.set_retention_days(s, 7)
    with database.transaction() as s:
        assert purge_expired_data(s, now=now).calls == 1
        with pytest.raises(InvalidValue):
            purge_expired_data(s, retention_days=0)


def seed_person(database: Database) -> None:
    with database.transaction() as s:
        calls.start_call(s, "c1", "+33 6 12 34 56 78")
        calls.add_turn(s, "c1", "caller", "mon mail est jean@exemple.fr")
        calls.start_call(s, "c2", "0698765432")
        calls.add_turn(s, "c2", "caller", "bonjour")
        appointments.book(s, HOURS, next_monday_at_nine(), name="Jean", phone="06 12 34 56 78")
        callbacks.request_callback(s, phone="0612345678", reason="urbanisme", call_id="c1")
        tickets.open_ticket(s, category="voirie", description="trou", call_id="c1")
        tickets.open_ticket(s, category="voirie", description="autre", phone="0698765432")


def test_export_gives_everything_linked_to_a_number_as_json(database: Database) -> None:
    seed_person(database)
    with database.transaction() as s:
        data = export_phone(s, "06.12.34.56.78")
    text = json.dumps(data)  # plain JSON, times as ISO 8601
    assert data["phone"] == "0612345678"
    assert [c["id"] for c in data["calls"]] == ["c1"]
    assert data["calls"][0]["turns"][0]["text"] == "mon mail est [e-mail]"
    assert len(data["appointments"]) == 1 and len(data["callbacks"]) == 1
    assert [t["description"] for t in data["tickets"]] == ["trou"]
    assert "0698765432" not in text


def test_erase_deletes_everything_linked_to_a_number_and_nothing_else(database: Database) -> None:
    seed_person(database)
    with database.transaction() as s:
        counts = erase_phone(s, "+33612345678")
    assert counts == {"turns": 1, "appointments": 1, "callbacks": 1, "tickets": 1, "calls": 1}
    with database.transaction() as s:
        empty = export_phone(s, "0612345678")
        assert empty["calls"] == empty["appointments"] == empty["tickets"] == []
        assert [c.id for c in calls.list_calls(s)] == ["c2"]
        assert len(tickets.list_tickets(s)) == 1
        with pytest.raises(InvalidValue):
            erase_phone(s, "pas un numéro")


def test_erasure_finds_hidden_number_calls_where_the_number_was_given(
    database: Database
) -> None:
    """A caller with a hidden caller ID who gave their number for a callback or a booking:
    that call is theirs too (its transcript and audio go with the erasure)."""
    with database.transaction() as s:
        calls.start_call(s, "hidden-1", None)
        calls.add_turn(s, "hidden-1", "caller", "rappelez-moi au zéro six douze trente-quatre "
                       "cinquante-six soixante-dix-huit")
        callbacks.request_callback(s, phone="06 12 34 56 78", reason="cantine",
                                   call_id="hidden-1")
        calls.start_call(s, "hidden-2", "anonymous")
        calls.add_turn(s, "hidden-2", "caller", "un rendez-vous lundi")
        appointments.book(s, HOURS, next_monday_at_nine(), name="Jean", phone="+33612345678",
                          call_id="hidden-2")
        calls.start_call(s, "other", None)
        calls.add_turn(s, "other", "caller", "rappelez-moi")
        callbacks.request_callback(s, phone="0698765432", reason="voirie", call_id="other")
    with database.transaction() as s:
        found = export_phone(s, "0612345678")
    assert [c["id"] for c in found["calls"]] == ["hidden-1", "hidden-2"]
    assert "rappelez-moi au [téléphone]" in json.dumps(found, ensure_ascii=False)
    with database.transaction() as s:
        counts = erase_phone(s, "06 12 34 56 78")
    assert counts == {"turns": 2, "appointments": 1, "callbacks": 1, "tickets": 0, "calls": 2}
    with database.transaction() as s:
        assert [c.id for c in calls.list_calls(s)] == ["other"]
        assert [c.phone for c in callbacks.list_callbacks(s)] == ["0698765432"]
