"""The town hall's understander: the tricky intent boundaries, slots, and robustness."""

from __future__ import annotations

from datetime import datetime

import pytest

from dialogs.nlu import FrenchUnderstander
from dialogs.understanding import Understander


def test_is_the_engine_boundary(mairie: FrenchUnderstander) -> None:
    assert isinstance(mairie, Understander)
    assert {intent.name for intent in mairie.model.intents} == {
        "horaires", "etat_civil", "identite", "rendez_vous", "dechets", "signalement",
        "urbanisme", "ecole", "elections", "agent", "repeter", "au_revoir",
    }


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("la déchèterie est ouverte le dimanche", "dechets"),
        ("la mairie est ouverte le dimanche", "horaires"),
        ("quels sont les horaires d'ouverture de la déchèterie", "dechets"),
        ("je voudrais un rendez-vous pour l'inscription scolaire", "rendez_vous"),
        ("j'ai besoin d'un rendez-vous pour déposer mon permis de construire", "rendez_vous"),
        ("je voudrais parler à quelqu'un du service urbanisme", "agent"),
        ("je veux un rendez-vous pour mon passeport", "rendez_vous"),
        # An hours question with a day and an hour is still about hours; asked together with
        # an appointment, both cues outrank each other and the score decides.
        ("vous fermez à cinq heures le vendredi", "horaires"),
        ("je voudrais un rendez-vous est-ce que vous êtes ouvert jeudi à dix heures",
         "rendez_vous"),
        ("j'ai perdu mon passeport", "identite"),
        ("vous pouvez me rappeler au zéro six douze trente-quatre cinquante-six "
         "soixante-dix-huit", "agent"),
        ("vous pouvez répéter", "repeter"),
        ("quelqu'un a déposé des ordures dans le bois", "signalement"),
        ("les poubelles n'ont pas été ramassées", "dechets"),
        ("ma facture d'électricité est trop élevée", None),
        ("quel temps fera-t-il demain", None),
        ("je voudrais commander une pizza", None),
        ("euh ben le la", None),
        ("", None),
        ("   ", None),
        ("euh", None),
    ],
)
def test_tricky_boundaries(
    mairie: FrenchUnderstander, monday: datetime, text: str, intent: str | None
) -> None:
    assert mairie.understand(text, monday).intent == intent


def test_slots_are_those_of_the_intent(mairie: FrenchUnderstander, monday: datetime) -> None:
    result = mairie.understand(
        "je voudrais un rendez-vous pour mon passeport jeudi à quatorze heures trente", monday
    )
    assert result.intent == "rendez_vous"
    assert dict(result.slots) == {"date": "2026-11-26", "time": "14:30", "subject": "passeport"}
    report = mairie.understand("il y a un nid de poule au douze rue victor hugo", monday)
    assert report.intent == "signalement"
    assert dict(report.slots) == {"problem": "voirie", "address": "12 rue victor hugo"}
    # Not understood: no slots at all, even when a date is said.
    weather = mairie.understand("quel temps fera-t-il demain", monday)
    assert weather.intent is None and dict(weather.slots) == {}
    # A slot that is not there is absent, not empty.
    assert "date" not in mairie.understand("je voudrais prendre rendez-vous", monday).slots


def test_a_document_with_a_day_and_an_hour_is_an_appointment(
    mairie: FrenchUnderstander, monday: datetime
) -> None:
    seen = mairie.understand(
        "je voudrais voir quelqu'un pour mon passeport mardi à onze heures", monday
    )
    assert seen.intent == "rendez_vous"
    assert dict(seen.slots) == {"date": "2026-11-24", "time": "11:00", "subject": "passeport"}
    card = mairie.understand("ma carte d'identité jeudi à deux heures c'est possible", monday)
    assert (card.intent, card.slots.get("time")) == ("rendez_vous", "14:00")
    # A day alone does not make an appointment, nor an hour alone.
    assert mairie.understand("je voudrais un acte de naissance pour mardi", monday).intent == (
        "etat_civil"
    )
    assert mairie.understand("la mairie est ouverte à deux heures", monday).intent == "horaires"


def test_counter_hours_are_town_hall_hours(mairie: FrenchUnderstander, monday: datetime) -> None:
    hours = mairie.understand("quels sont les horaires du service urbanisme", monday)
    assert hours.intent == "horaires"
    assert dict(hours.slots) == {"service": "urbanisme"}
    civil = mairie.understand("à quelle heure ouvre le service état civil", monday)
    assert (civil.intent, dict(civil.slots)) == ("horaires", {"service": "etat_civil"})
    transfer = mairie.understand("passez-moi le service urbanisme", monday)
    assert transfer.intent == "agent" and transfer.slots["service"] == "urbanisme"
    assert mairie.understand("les horaires du bus", monday).intent is None


def test_confidence_and_determinism(mairie: FrenchUnderstander, monday: datetime) -> None:
    text = "bonjour à quelle heure ouvre la mairie"
    first = mairie.understand(text, monday)
    assert first.intent == "horaires"
    assert 0.0 < first.confidence <= 1.0
    assert first.confidence >= mairie.model.threshold
    rebuilt = FrenchUnderstander(mairie.model)
    assert rebuilt.understand(text, monday) == first
    nothing = mairie.understand("", monday)
    assert nothing.confidence == 0.0 and nothing.text == ""


def test_vosk_spellings_mean_the_same(mairie: FrenchUnderstander, monday: datetime) -> None:
    written = mairie.understand("Comment obtenir une copie de l'acte de mariage ?", monday)
    heard = mairie.understand("comment obtenir une copie de l' acte de mariage", monday)
    glued = mairie.understand("comment obtenir une copie de l acte de mariage", monday)
    assert written.intent == heard.intent == glued.intent == "etat_civil"
    assert written.confidence == pytest.approx(heard.confidence)
