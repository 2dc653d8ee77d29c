"""Many phone numbers, generated: in digits with any usual separator, or spoken in pairs as
Vosk writes French numbers, none survives masking (fixed seed: the same cases every run)."""

from __future__ import annotations

import random

import pytest

from ivr.privacy.masking import mask_text

UNITS = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
         "onze", "douze", "treize", "quatorze", "quinze", "seize"]
TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def pair_in_words(n: int, hyphen: bool) -> str:
    """French words for a two-digit group of a phone number, as Vosk writes them."""
    join = "-" if hyphen else " "
    if n < 10:
        return f"zéro {UNITS[n]}"  # a pair of a phone number: "zéro six"
    if n < 17:
        return UNITS[n]
    if n < 20:
        return f"dix{join}{UNITS[n - 10]}"
    tens, unit = divmod(n, 10)
    if tens in (7, 9):
        base = "soixante" if tens == 7 else f"quatre{join}vingt"
        rest = pair_in_words(10 + unit, hyphen)
        if tens == 7 and unit == 1:
            return "soixante et onze"
        return f"{base}{join}{rest}"
    base = f"quatre{join}vingts" if tens == 8 and unit == 0 else (
        f"quatre{join}vingt" if tens == 8 else TENS[tens])
    if unit == 0:
        return base
    if unit == 1 and tens != 8:
        return f"{base} et un"
    return f"{base}{join}{UNITS[unit]}"


def numbers(count: int) -> list[str]:
    rng = random.Random(20260)
    return ["0" + str(rng.choice([1, 2, 3, 4, 5, 6, 7, 9])) +
            "".join(str(rng.randrange(10)) for _ in range(8)) for _ in range(count)]


@pytest.mark.parametrize("separator", [" ", ".", "-", ""])
def test_numbers_in_digits_never_survive(separator: str) -> None:
    for number in numbers(200):
        pairs = [number[i:i + 2] for i in range(0, 10, 2)]
        text = f"vous pouvez me joindre au {separator.join(pairs)} merci"
        masked = mask_text(text)
        assert masked == "vous pouvez me joindre au [téléphone] merci", text


@pytest.mark.parametrize("hyphen", [True, False])
def test_numbers_spoken_in_pairs_never_survive(hyphen: bool) -> None:
    for number in numbers(300):
        words = [pair_in_words(int(number[i:i + 2]), hyphen) for i in range(0, 10, 2)]
        text = f"c'est le {' '.join(words)} voilà"
        masked = mask_text(text)
        assert masked == "c'est le [téléphone] voilà", text


def test_pair_words_helper_is_right() -> None:
    assert pair_in_words(78, True) == "soixante-dix-huit"
    assert pair_in_words(91, False) == "quatre vingt onze"
    assert pair_in_words(80, True) == "quatre-vingts"
    assert pair_in_words(21, True) == "vingt et un"
    assert pair_in_words(71, True) == "soixante et onze"


def day_in_words(n: int) -> str:
    words = pair_in_words(n, True)
    return "premier" if n == 1 else words.removeprefix("zéro ")


def test_dates_and_times_are_never_masked() -> None:
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"]
    for day in range(1, 32):
        for hour in range(8, 19):
            for minute in (0, 15, 30, 45):
                spoken_minute = "" if minute == 0 else f" {day_in_words(minute)}"
                text = (f"le {day_in_words(day)} {months[(day + hour) % 12]} à "
                        f"{day_in_words(hour)} heures{spoken_minute}")
                assert mask_text(text) == text
