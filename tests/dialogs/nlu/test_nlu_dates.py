"""Dates said in French, resolved against Monday 23 November 2026, 10:00."""

from __future__ import annotations

from datetime import datetime

import pytest

from dialogs.nlu import FrenchUnderstander


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("aujourd'hui", "2026-11-23"),
        ("aujourd hui", "2026-11-23"),
        ("demain", "2026-11-24"),
        ("demain matin", "2026-11-24"),
        ("cet après-midi à quinze heures", "2026-11-23"),
        ("ce matin", "2026-11-23"),
        ("après-demain", "2026-11-25"),
        ("apres demain", "2026-11-25"),
        ("mardi", "2026-11-24"),
        ("jeudi", "2026-11-26"),
        ("dimanche", "2026-11-29"),
        ("lundi", "2026-11-30"),
        ("lundi prochain", "2026-11-30"),
        ("vendredi prochain", "2026-11-27"),
        ("mardi de la semaine prochaine", "2026-12-01"),
        ("jeudi en huit", "2026-12-03"),
        ("le trois décembre", "2026-12-03"),
        ("le 3 décembre", "2026-12-03"),
        ("le premier décembre", "2026-12-01"),
        ("le 1er décembre", "2026-12-01"),
        ("jeudi vingt-six novembre", "2026-11-26"),
        ("jeudi vingt six novembre", "2026-11-26"),
        ("le vingt et un décembre", "2026-12-21"),
        ("le trente et un décembre", "2026-12-31"),
        ("le vingt-trois novembre", "2026-11-23"),
        ("le vingt deux novembre", "2027-11-22"),
        ("le deux janvier", "2027-01-02"),
        ("le quinze février deux mille vingt-sept", "2027-02-15"),
        ("le 5 mars 2027", "2027-03-05"),
        ("le vingt-neuf février", "2028-02-29"),
        ("le quinze", "2026-12-15"),
        ("le vingt-cinq", "2026-11-25"),
        ("quinze", "2026-12-15"),
        ("vingt et un", "2026-12-21"),
        ("premier", "2026-12-01"),
        ("dans trois jours", "2026-11-26"),
        ("dans une semaine", "2026-11-30"),
        ("dans quinze jours", "2026-12-08"),
        ("je voudrais venir le quatre décembre à dix heures", "2026-12-04"),
        ("euh ben plutôt le euh dix décembre", "2026-12-10"),
        ("LE TROIS DÉCEMBRE", "2026-12-03"),
        ("le 3 decembre", "2026-12-03"),
        ("vendredi quatre", "2026-12-04"),
        ("mardi vingt-quatre", "2026-11-24"),
        ("lundi sept à dix heures", "2026-12-07"),
        ("samedi 5", "2026-12-05"),
        ("mercredi à dix heures", "2026-11-25"),
        ("vendredi à neuf heures", "2026-11-27"),
    ],
)
def test_dates(mairie: FrenchUnderstander, monday: datetime, text: str, expected: str) -> None:
    assert mairie.extract("date", text, monday) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "bonjour",
        "le trente-deux décembre",
        "le trente et un novembre",
        "à dix heures",
        "au douze rue victor hugo",
        "le douze rue victor hugo",
        "le six heures",
        "dans trois heures",
        "le zéro six douze",
        "décembre",
        "la semaine prochaine",
        "\x00\x01",
        "le le le le",
        "quarante",
        "quinze euros",
    ],
)
def test_no_date(mairie: FrenchUnderstander, monday: datetime, text: str) -> None:
    assert mairie.extract("date", text, monday) is None


@pytest.mark.parametrize(
    ("said_on", "text", "expected"),
    [
        (datetime(2026, 11, 23, 10, 0), "mardi prochain", "2026-12-01"),  # Monday: not tomorrow
        (datetime(2026, 11, 23, 10, 0), "mardi", "2026-11-24"),
        (datetime(2026, 11, 23, 10, 0), "ce mardi", "2026-11-24"),
        (datetime(2026, 11, 23, 10, 0), "mercredi prochain", "2026-11-25"),
        (datetime(2026, 11, 23, 10, 0), "lundi prochain", "2026-11-30"),
        (datetime(2026, 11, 24, 10, 0), "mardi prochain", "2026-12-01"),  # Tuesday: in a week
        (datetime(2026, 11, 24, 10, 0), "mercredi prochain", "2026-12-02"),
        (datetime(2026, 11, 26, 10, 0), "vendredi prochain", "2026-12-04"),  # Thursday
        (datetime(2026, 11, 26, 10, 0), "lundi prochain", "2026-11-30"),
    ],
)
def test_next_weekday_is_never_tomorrow(
    mairie: FrenchUnderstander, said_on: datetime, text: str, expected: str
) -> None:
    """ "<weekday> prochain" naming tomorrow means the week after: tomorrow is "demain"."""
    assert mairie.extract("date", text, said_on) == expected


def test_relative_dates_follow_the_clock(mairie: FrenchUnderstander) -> None:
    saturday_evening = datetime(2026, 12, 26, 18, 30)
    assert mairie.extract("date", "demain", saturday_evening) == "2026-12-27"
    assert mairie.extract("date", "lundi", saturday_evening) == "2026-12-28"
    assert mairie.extract("date", "le deux janvier", saturday_evening) == "2027-01-02"
    assert mairie.extract("date", "après-demain", datetime(2026, 12, 31, 9, 0)) == "2027-01-02"
