"""French public holidays, opening hours with closures, free appointment slots, French
wording of values, knowledge base matching."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dialogs.errors import SlotTaken
from dialogs.holidays import easter_sunday, french_holidays, holiday_name
from dialogs.hours import HoursFile
from dialogs.knowledge import KnowledgeFile
from dialogs.services import FiledTicket, InMemoryServices
from dialogs.speak import say_date, say_phone, say_time
from dialogs.state import FeedbackAnswer

HOURS = HoursFile.model_validate({
    "services": {
        "accueil": {"label": "l'accueil", "hours": {
            "lundi": ["08:30-12:00", "13:30-17:30"], "mardi": ["08:30-12:00", "13:30-17:30"],
            "samedi": ["09:00-12:00"]}},
        "urbanisme": {"label": "l'urbanisme", "appointment_minutes": 45,
                      "hours": {"mardi": ["09:00-12:00"]}},
    },
    "closures": [
        {"start": "2026-08-10", "end": "2026-08-21", "services": ["urbanisme"]},
        {"start": "2026-05-16", "label": "pont"},
    ],
})


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)),
     (2027, date(2027, 3, 28)), (2038, date(2038, 4, 25)), (2285, date(2285, 3, 22))],
)
def test_easter_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_french_holidays_of_2026() -> None:
    days = french_holidays(2026)
    assert len(days) == 11
    assert days[date(2026, 4, 6)] == "lundi de Pâques"
    assert days[date(2026, 5, 14)] == "Ascension"
    assert days[date(2026, 5, 25)] == "lundi de Pentecôte"
    fixed = {(d.month, d.day) for d in days} - {(4, 6), (5, 14), (5, 25)}
    assert fixed == {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}
    assert holiday_name(date(2026, 5, 13)) is None


def test_is_open_follows_hours_holidays_and_closures() -> None:
    assert HOURS.is_open("accueil", datetime(2026, 5, 11, 8, 30))
    assert not HOURS.is_open("accueil", datetime(2026, 5, 11, 12, 0))
    assert not HOURS.is_open("accueil", datetime(2026, 5, 11, 8, 29))
    assert not HOURS.is_open("accueil", datetime(2026, 5, 13, 10, 0))  # mercredi
    assert not HOURS.is_open("accueil", datetime(2026, 5, 25, 10, 0))  # Pentecôte
    assert not HOURS.is_open("accueil", datetime(2026, 5, 16, 10, 0))  # pont
    assert HOURS.is_open("urbanisme", datetime(2026, 8, 4, 10, 0))
    assert not HOURS.is_open("urbanisme", datetime(2026, 8, 11, 10, 0))
    assert HOURS.is_open("accueil", datetime(2026, 8, 11, 10, 0))
    assert not HOURS.is_open("piscine", datetime(2026, 5, 11, 10, 0))
    assert HOURS.closed_reason("accueil", date(2026, 12, 25)) == "jour férié (Noël)"


def test_hours_are_described_in_french() -> None:
    assert HOURS.describe("accueil") == (
        "L'accueil est ouvert du lundi au mardi de 8 heures 30 à midi et de 13 heures 30 à "
        "17 heures 30 et le samedi de 9 heures à midi."
    )


def test_free_slots_come_from_hours_minus_bookings() -> None:
    services = InMemoryServices.with_booked(HOURS, [("urbanisme", date(2026, 5, 12), "09:45")])
    assert services.free_slots("urbanisme", date(2026, 5, 12)) == ["09:00", "10:30", "11:15"]
    assert services.free_slots("urbanisme", date(2026, 5, 13)) == []
    assert services.free_slots("accueil", date(2026, 5, 25)) == []
    assert services.free_slots("piscine", date(2026, 5, 12)) == []
    reference = services.book("urbanisme", date(2026, 5, 12), "10:30", "Dupont", "0612345678")
    assert reference == "R1001"
    with pytest.raises(SlotTaken) as caught:
        services.book("urbanisme", date(2026, 5, 12), "10:30", "Durand", "0611111111")
    assert caught.value.code == "slot_taken"


def test_in_memory_tickets_of_each_kind_and_feedback_are_kept() -> None:
    services = InMemoryServices(HOURS)
    first = services.create_ticket("technique", {"problem": "lampadaire"}, call_id="c1")
    message = services.create_ticket("accueil", {"message": "merci"}, kind="message",
                                     call_id="c2", transcript=["appelant : merci"])
    second = services.create_ticket("technique", {"problem": "nid de poule"})
    assert (first, message, second) == ("S1001", "M1001", "S1002")
    assert services.tickets[1] == FiledTicket(
        "M1001", "accueil", {"message": "merci"}, "message", "c2", ("appelant : merci",))
    answer = FeedbackAnswer(scale="1-5", score=4)
    services.record_feedback("c1", answer)
    assert services.feedback == [("c1", answer)]


def test_values_are_worded_for_speech() -> None:
    assert say_date(date(2026, 5, 12)) == "mardi 12 mai"
    assert say_date(date(2026, 7, 1)) == "mercredi 1er juillet"
    assert [say_time(t) for t in ("09:00", "12:00", "14:30", "01:05")] == [
        "9 heures", "midi", "14 heures 30", "1 heure 05"]
    assert say_phone("0612345678") == "06 12 34 56 78"


def test_knowledge_picks_the_closest_entry_of_a_topic() -> None:
    kb = KnowledgeFile.model_validate({"entries": {
        "mairie": {"topic": "horaires", "questions": ["horaires de la mairie"], "answer": "A"},
        "piscine": {"topic": "horaires", "questions": ["horaires de la piscine"], "answer": "B"},
        "pacs": {"topic": "etat_civil", "questions": ["se pacser"], "answer": "C"},
    }})
    assert kb.best_entry("horaires", "c'est quand les horaires de la piscine") == "piscine"
    assert kb.best_entry("horaires", "vous êtes ouverts quand") == "mairie"
    assert kb.best_entry("etat_civil", "je veux me pacser") == "pacs"
    assert kb.best_entry("dechets", "poubelles") is None
