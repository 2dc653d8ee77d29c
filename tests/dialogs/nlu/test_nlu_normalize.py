"""Normalisation of Vosk-style French and the number-word reader underneath the parsers."""

from __future__ import annotations

import pytest

from dialogs.nlu import normalize, tokenize
from dialogs.nlu.numbers import below_100_options, number_continuations, parse_cardinal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Qu'est-ce que je dois faire ?", "qu est ce que je dois faire"),
        ("qu' est-ce que", "qu est ce que"),
        ("qu est ce que", "qu est ce que"),
        ("l'acte", "l acte"),
        ("l' acte", "l acte"),
        ("L’ACTE", "l acte"),
        ("aujourd'hui", "aujourdhui"),
        ("aujourd hui", "aujourdhui"),
        ("déchèterie", "decheterie"),
        ("euh ben le la", "le la"),
        ("quatre-vingt-dix-neuf", "quatre vingt dix neuf"),
        ("rendez-vous", "rendez vous"),
        ("14:30", "14h30"),
        ("cœur", "coeur"),
        ("  ", ""),
        ("", ""),
        ("!!!???", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_tokens_keep_accents_and_plus_sign() -> None:
    tokens = tokenize("Le 3 Décembre, +33 6")
    assert [t.surface for t in tokens] == ["le", "3", "décembre", "+", "33", "6"]
    assert [t.key for t in tokens] == ["le", "3", "decembre", "+", "33", "6"]
    assert [t.key for t in tokenize("euh oui", keep_fillers=True)] == ["euh", "oui"]
    assert tokenize(None) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("words", "value", "used"),
    [
        ("vingt et un", 21, 3),
        ("soixante et onze", 71, 3),
        ("soixante dix sept", 77, 3),
        ("quatre vingt", 80, 2),
        ("quatre vingts", 80, 2),
        ("quatre vingt un", 81, 3),
        ("quatre vingt dix neuf", 99, 4),
        ("cent un", 101, 2),
        ("trois cent douze", 312, 3),
        ("mille neuf cent cinquante", 1950, 4),
        ("deux mille vingt six", 2026, 4),
        ("dix mille", 10000, 2),
        ("septante deux", 72, 2),
        ("nonante", 90, 1),
        ("2026", 2026, 1),
        ("zero", 0, 1),
    ],
)
def test_cardinals(words: str, value: int, used: int) -> None:
    assert parse_cardinal(words.split(), 0) == (value, used)


@pytest.mark.parametrize("words", ["", "et", "le", "premier", "1234567890123"])
def test_not_cardinals(words: str) -> None:
    assert parse_cardinal(words.split(), 0) is None


def test_readings_and_continuations() -> None:
    keys = ["soixante", "dix", "huit"]
    assert below_100_options(keys, 0) == [(78, 3), (70, 2), (60, 1)]
    assert below_100_options(keys, 5) == []
    assert number_continuations(["le", "vingt", "cinq", "mars"]) == {2}
    assert number_continuations(["zero", "six", "douze"]) == set()
