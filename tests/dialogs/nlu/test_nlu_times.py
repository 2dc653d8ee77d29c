"""Clock times said in French, as "HH:MM"."""

from __future__ import annotations

from datetime import datetime

import pytest

from dialogs.nlu import FrenchUnderstander


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("quatorze heures trente", "14:30"),
        ("à quatorze heures trente-cinq", "14:35"),
        ("dix heures et quart", "10:15"),
        ("onze heures moins le quart", "10:45"),
        ("onze heures moins quart", "10:45"),
        ("onze heures moins dix", "10:50"),
        ("midi", "12:00"),
        ("à midi et demi", "12:30"),
        ("midi et quart", "12:15"),
        ("minuit", "00:00"),
        ("minuit moins le quart", "23:45"),
        ("deux heures de l'après-midi", "14:00"),
        ("deux heures de l' après midi", "14:00"),
        ("huit heures du soir", "20:00"),
        ("huit heures du matin", "08:00"),
        ("huit heures et demie", "08:30"),
        ("huit heures et demi", "08:30"),
        ("9h30", "09:30"),
        ("9h", "09:00"),
        ("9 h 30", "09:30"),
        ("14:30", "14:30"),
        ("à neuf heures", "09:00"),
        ("une heure", "13:00"),
        ("une heure de l'après-midi", "13:00"),
        ("dix-sept heures", "17:00"),
        ("dix sept heures quarante cinq", "17:45"),
        ("vingt et une heures", "21:00"),
        ("vers seize heures quinze minutes", "16:15"),
        ("demain à neuf heures", "09:00"),
        ("quatorze heures zéro cinq", "14:05"),
        ("quatorze trente", "14:30"),
        ("à neuf", "09:00"),
        ("vers dix sept", "17:00"),
        ("dix", "10:00"),
        ("dix heures pile", "10:00"),
        ("midi trente", "12:30"),
        ("quatorze heure trente", "14:30"),
        ("le trois décembre à dix heures et quart", "10:15"),
    ],
)
def test_times(mairie: FrenchUnderstander, monday: datetime, text: str, expected: str) -> None:
    assert mairie.extract("time", text, monday) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("à deux heures", "14:00"),
        ("à trois heures et demie", "15:30"),
        ("cinq heures", "17:00"),
        ("sept heures moins le quart", "18:45"),
        ("une heure et quart", "13:15"),
        ("2h30", "14:30"),
        ("à deux", "14:00"),
        ("quatre trente", "16:30"),
        ("huit heures", "08:00"),
        ("huit heures et demie", "08:30"),
        ("onze heures", "11:00"),
        ("zéro heure", "00:00"),
        ("deux heures du matin", "02:00"),
        ("cinq heures de la nuit", "05:00"),
        ("six heures le matin", "06:00"),
        ("trois heures de l'après-midi", "15:00"),
        ("sept heures du soir", "19:00"),
        ("huit heures du soir", "20:00"),
        ("douze heures", "12:00"),
        ("douze heures de la nuit", "00:00"),
    ],
)
def test_hours_without_a_part_of_the_day_are_office_hours(
    mairie: FrenchUnderstander, monday: datetime, text: str, expected: str
) -> None:
    """No town-hall counter opens at night: 1 to 7 o'clock said alone are afternoon hours."""
    assert mairie.extract("time", text, monday) == expected


def test_office_hours_apply_to_understood_slots(
    mairie: FrenchUnderstander, monday: datetime
) -> None:
    found = mairie.understand("un rendez-vous jeudi à deux heures et quart", monday)
    assert found.intent == "rendez_vous"
    assert found.slots["time"] == "14:15"
    early = mairie.understand("un rendez-vous jeudi à deux heures du matin", monday)
    assert early.slots["time"] == "02:00"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "bonjour",
        "à neuf ou à dix",
        "quarante",
        "neuf cent",
        "quatorze soixante",
        "rendez-vous à neuf",
        "dans deux heures",
        "pendant trois heures",
        "vingt-cinq heures",
        "25h",
        "9h75",
        "l'après-midi",
        "cet après midi",
        "le trois décembre",
        "zéro six douze trente-quatre",
        "heures heures",
        "h",
    ],
)
def test_no_time(mairie: FrenchUnderstander, monday: datetime, text: str) -> None:
    assert mairie.extract("time", text, monday) is None
