"""French telephone numbers said aloud, as 10 digits."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from dialogs.nlu import FrenchUnderstander


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zéro six douze trente-quatre cinquante-six soixante-dix-huit", "0612345678"),
        ("zero six douze trente quatre cinquante six soixante dix huit", "0612345678"),
        ("zéro un quarante deux vingt et un zéro zéro quatre-vingt-dix-neuf", "0142210099"),
        ("zéro six un deux trois quatre cinq six sept huit", "0612345678"),
        ("zéro sept quatre-vingts zéro un soixante et onze dix-sept", "0780017117"),
        ("zéro deux quatre vingt un soixante dix soixante dix sept seize", "0281707716"),
        ("zéro trois soixante dix-huit zéro zéro zéro zéro", "0360180000"),
        ("zéro quatre vingt douze zéro un zéro deux", "0420120102"),
        ("zéro cinq cinquante cinquante cinquante cinquante", "0550505050"),
        ("06 12 34 56 78", "0612345678"),
        ("six douze trente-quatre cinquante-six soixante-dix-huit", "0612345678"),
        ("au un quarante-deux vingt et un zéro zéro quatre-vingt-dix-neuf", "0142210099"),
        ("06.12.34.56.78", "0612345678"),
        ("zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit", "0612345678"),
        ("zéro huit cent douze trente-quatre cinquante-six", "0800123456"),
        ("zéro huit cent vingt douze trente quatre cinquante six", "0820123456"),
        ("0612345678", "0612345678"),
        ("zéro six 12 34 cinquante-six 78", "0612345678"),
        ("plus trente-trois six douze trente-quatre cinquante-six soixante-dix-huit", "0612345678"),
        ("+33 6 12 34 56 78", "0612345678"),
        ("+33612345678", "0612345678"),
        ("plus trente trois zéro six douze trente quatre cinquante six soixante dix huit",
         "0612345678"),
        ("zéro zéro trente-trois un quarante-deux vingt et un zéro zéro quatre-vingt-dix-neuf",
         "0142210099"),
        ("rappelez-moi au zéro six douze trente-quatre cinquante-six soixante-dix-huit merci",
         "0612345678"),
        ("mon numéro c'est le zéro six douze trente-quatre cinquante-six soixante-dix-huit et "
         "je suis là demain", "0612345678"),
        ("euh zéro six euh douze trente-quatre euh cinquante-six soixante-dix-huit", "0612345678"),
        ("zéro six tiret douze tiret trente-quatre tiret cinquante-six tiret soixante-dix-huit",
         "0612345678"),
    ],
)
def test_phones(mairie: FrenchUnderstander, monday: datetime, text: str, expected: str) -> None:
    assert mairie.extract("phone", text, monday) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "bonjour",
        "zéro six douze",
        "zéro six douze trente-quatre cinquante-six soixante-dix-huit quatre-vingt-dix",
        "douze trente-quatre cinquante-six soixante-dix-huit quatre-vingt-dix",
        "zéro zéro zéro zéro zéro zéro zéro zéro zéro zéro",
        "zéro six soixante dix sept quatre vingt un",
        "six douze trente-quatre cinquante-six",
        "douze trente-quatre cinquante-six soixante-dix-huit quatre",
        "plus trente-trois zéro zéro",
        "plus quarante-quatre sept neuf douze trente-quatre cinquante-six soixante-dix-huit",
        "j'ai deux enfants et trois chats",
        "le trois décembre à dix heures",
        "123456789012345",
        "06123",
        "et et et",
        "plus plus plus",
    ],
)
def test_not_a_phone(mairie: FrenchUnderstander, monday: datetime, text: str) -> None:
    assert mairie.extract("phone", text, monday) is None


def test_random_words_never_break_the_parser(mairie: FrenchUnderstander, monday: datetime) -> None:
    vocabulary = (  # noqa: SIM905 - a word list reads better
        "zéro un deux trois quatre cinq six sept huit neuf dix onze douze vingt trente "
        "soixante quatre-vingt et plus cent mille tiret euh rue demain heures le 06 33 +33"
    ).split()
    generator = random.Random(20261123)
    for _ in range(400):
        text = " ".join(generator.choice(vocabulary) for _ in range(generator.randint(0, 16)))
        for kind in ("phone", "date", "time", "number", "address", "yes_no", "name"):
            value = mairie.extract(kind, text, monday)
            assert value is None or isinstance(value, str)
            if kind == "phone" and value is not None:
                assert len(value) == 10 and value.isdigit() and value[0] == "0", text
