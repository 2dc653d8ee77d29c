"""The flow's bookings go to the real database (SQLite file; PostgreSQL when available)."""

from __future__ import annotations

from datetime import date

import pytest

from dialogs.errors import ServiceError, SlotTaken
from dialogs.loader import load_flow
from dialogs.runtime import default_flow_path
from dialogs.state import FeedbackAnswer
from ivr.session.services_db import DatabaseServices, UnavailableServices
from ivr.storage import appointments, callbacks, calls, tickets
from ivr.storage.database import Database

TUESDAY = date(2026, 5, 12)


@pytest.fixture
def services(database: Database) -> DatabaseServices:
    hours = load_flow(default_flow_path()).hours
    assert hours is not None
    with database.transaction() as session:
        calls.start_call(session, "call-1", "0612345678")
    return DatabaseServices(database, hours, "Europe/Paris", "call-1")


def test_an_appointment_is_booked_once(services: DatabaseServices, database: Database) -> None:
    free = services.free_slots("etat_civil", TUESDAY)
    assert free and free == sorted(free)
    reference = services.book("etat_civil", TUESDAY, free[0], "Jean Dupont", "0612345678")
    assert reference.startswith("R")
    assert free[0] not in services.free_slots("etat_civil", TUESDAY)
    with pytest.raises(SlotTaken):
        services.book("etat_civil", TUESDAY, free[0], "Marie Curie", "0699999999")
    with database.transaction() as session:
        [booked] = appointments.list_appointments(session)
    assert booked.name == "Jean Dupont" and booked.call_id == "call-1"
    assert booked.starts_at.astimezone().strftime("%Y-%m-%d") == "2026-05-12"
    assert services.done == ["appointment"]


def test_not_a_slot_is_refused(services: DatabaseServices) -> None:
    with pytest.raises(SlotTaken):  # the engine proposes other times
        services.book("etat_civil", TUESDAY, "03:00", "Jean Dupont", "0612345678")
    with pytest.raises(ServiceError):
        services.free_slots("piscine", TUESDAY)


def test_a_ticket_and_a_callback_are_stored_masked(
    services: DatabaseServices, database: Database
) -> None:
    ref = services.create_ticket("technique", {
        "problem": "nid de poule", "address": "12 rue des lilas",
        "description": "un trou rappelez moi au 06 12 34 56 78", "phone": "0612345678"})
    assert ref.startswith("SIG-2026-") or ref.startswith("SIG-")
    callback = services.request_callback("accueil", "0612345678", "Question d'urbanisme")
    with database.transaction() as session:
        ticket = tickets.find_by_reference(session, ref)
        [request] = callbacks.list_callbacks(session)
    assert ticket.category == "nid de poule" and ticket.location == "12 rue des lilas"
    assert "06 12 34 56 78" not in ticket.description  # masked before it was written
    assert ticket.call_id == "call-1"
    assert callback == f"C{request.id}" and request.queue == "accueil"
    assert services.done == ["ticket", "callback"]


def test_a_message_is_a_ticket_of_its_own_kind_linked_to_the_call(
    services: DatabaseServices, database: Database
) -> None:
    ref = services.create_ticket(
        "urbanisme", {"message": "mon voisin construit sans permis", "phone": "0612345678"},
        kind="message", call_id="call-1", transcript=["appelant : bonjour"])
    with database.transaction() as session:
        ticket = tickets.find_by_reference(session, ref)
    assert ticket.category == "message:urbanisme" and ticket.call_id == "call-1"
    assert ticket.description == "mon voisin construit sans permis"


def test_a_satisfaction_answer_is_kept_with_the_call(
    services: DatabaseServices, database: Database
) -> None:
    services.record_feedback("call-1", FeedbackAnswer(
        scale="1-5", score=4, comment="rappelez-moi au 06 12 34 56 78"))
    with database.transaction() as session:
        call = calls.get_call(session, "call-1")
    assert (call.satisfaction_scale, call.satisfaction_score) == ("1-5", 4)
    assert services.done == ["feedback"]
    unrecorded = DatabaseServices(database, services.hours, "Europe/Paris", None)
    with pytest.raises(ServiceError) as raised:  # the engine keeps this from the caller
        unrecorded.record_feedback("call-2", FeedbackAnswer(scale="yes_no", score=1))
    assert raised.value.code == "feedback_not_stored"


def test_without_a_database_the_flow_is_told() -> None:
    services = UnavailableServices()
    with pytest.raises(ServiceError) as raised:
        services.book("etat_civil", TUESDAY, "10:00", "x", "0612345678")
    assert raised.value.code == "database_unavailable"
