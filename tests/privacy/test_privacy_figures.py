"""Privacy as figures (issue 16, item 5): how much personal data `mask_text` removes before
storage, and how much ordinary speech it wrongly removes, measured on generated sentences
(fixed seed: the same 1,400 cases every run).

Personal data, each inside an ordinary sentence: phone numbers written (any usual separator,
+33) and spoken as Vosk writes them (pairs in words), e-mail addresses written and spoken
("jean point dupont arobase gmail point com"), IBANs (FR76..., grouped or not, any case,
spaces or dashes) and card numbers (16 digits, grouped or not). A case counts as masked when
the sentence comes back with exactly the kind's label in place of the value and every other
word kept.

Ordinary town-hall sentences, which must come back unchanged: dates (in words, "12 mars",
"12/05/2026"), times ("14h30", "09:30", "quatorze heures trente"), house numbers ("au 12 rue
des Lilas"), amounts ("35 euros", "25,50 €"), years, postcodes ("44000": a postcode names a
town, not a person), ages and counts. Run with -s to print the table.
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Callable

import pytest

from ivr.privacy.masking import CARD_LABEL, EMAIL_LABEL, IBAN_LABEL, PHONE_LABEL, mask_text
from tests.privacy.test_masking_generated import day_in_words, numbers, pair_in_words

SEED = 20261
FIRST = ["jean", "marie", "paul", "sophie", "luc", "claire", "nathalie", "pierre", "anne",
         "thomas", "lea", "hugo"]
LAST = ["dupont", "martin", "bernard", "petit", "durand", "leroy", "moreau", "lefebvre",
        "garnier", "rousseau", "le-goff", "fournier"]
DOMAINS = ["gmail", "orange", "free", "laposte", "wanadoo", "sfr", "hotmail", "yahoo",
           "mairie-saint-aubin"]
TLDS = ["com", "fr", "net"]
# Words around a value: nothing a number could swallow ("et un", "deux"...).
BEFORE = ["bonjour, vous pouvez me joindre au", "mon numéro c'est le", "c'est", "voilà",
          "notez bien", "je vous donne", "alors c'est", "oui, c'est le", "écrivez-moi à",
          "rappelez-moi au", "mon iban est", "ma carte c'est"]
AFTER = ["merci", "voilà", "merci beaucoup", "c'est bien ça", "pour le rendez-vous",
         "s'il vous plaît", "au revoir", ""]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]
STREETS = ["rue des Lilas", "avenue de la Gare", "place de l'Église", "chemin des Vignes",
           "boulevard Victor Hugo"]


def phone_written(rng: random.Random, number: str) -> str:
    pairs = [number[i:i + 2] for i in range(0, 10, 2)]
    form = rng.randrange(4)
    if form == 3:
        return "+33 " + number[1] + " " + " ".join(pairs[1:])
    return rng.choice([" ", ".", "-", ""]).join(pairs)


def phone_spoken(rng: random.Random, number: str) -> str:
    hyphen = rng.random() < 0.5
    return " ".join(pair_in_words(int(number[i:i + 2]), hyphen) for i in range(0, 10, 2))


def email_written(rng: random.Random) -> str:
    joiner = rng.choice([".", "-", "_", ""])
    digits = str(rng.randrange(100)) if rng.random() < 0.3 else ""
    return (f"{rng.choice(FIRST)}{joiner}{rng.choice(LAST)}{digits}@{rng.choice(DOMAINS)}."
            f"{rng.choice(TLDS)}")


def email_spoken(rng: random.Random) -> str:
    joiner = rng.choice(["point", "tiret", "tiret bas", "underscore"])
    domain = rng.choice(DOMAINS).replace("-", " tiret ")
    return (f"{rng.choice(FIRST)} {joiner} {rng.choice(LAST)} arobase {domain} point "
            f"{rng.choice(TLDS)}")


def iban(rng: random.Random) -> str:
    body = "FR76" + "".join(str(rng.randrange(10)) for _ in range(23))
    if rng.random() < 0.3:
        body = body.lower()
    separator = rng.choice([" ", "", "-"])
    return separator.join(body[i:i + 4] for i in range(0, len(body), 4))


def card(rng: random.Random) -> str:
    digits = rng.choice("3456") + "".join(str(rng.randrange(10)) for _ in range(15))
    return rng.choice([" ", "", "-"]).join(digits[i:i + 4] for i in range(0, 16, 4))


Make = Callable[[random.Random, int], str]
KINDS: dict[str, tuple[str, int, Make]] = {
    "phone, written": (PHONE_LABEL, 250, lambda rng, i: phone_written(rng, PHONES[i])),
    "phone, spoken": (PHONE_LABEL, 250, lambda rng, i: phone_spoken(rng, PHONES[i])),
    "e-mail, written": (EMAIL_LABEL, 150, lambda rng, i: email_written(rng)),
    "e-mail, spoken": (EMAIL_LABEL, 150, lambda rng, i: email_spoken(rng)),
    "IBAN": (IBAN_LABEL, 150, lambda rng, i: iban(rng)),
    "card": (CARD_LABEL, 150, lambda rng, i: card(rng)),
}
PHONES = numbers(250)


def ordinary(rng: random.Random) -> str:
    day, month = rng.randrange(1, 29), rng.randrange(12)
    hour, minute = rng.randrange(8, 19), rng.choice([0, 15, 30, 45])
    choices = [
        f"je voudrais un rendez-vous le {day} {MONTHS[month]} à {hour}h{minute:02d}",
        f"le rendez-vous du {day:02d}/{month + 1:02d}/2026 est annulé",
        f"le {day_in_words(day)} {MONTHS[month]} à {day_in_words(hour)} heures",
        f"j'habite au {rng.randrange(1, 200)} {rng.choice(STREETS)}",
        f"au {rng.randrange(1, 60)} bis {rng.choice(STREETS)}, {rng.choice(['44000', '75001', '69003', '13008'])} {rng.choice(['Nantes', 'Paris', 'Lyon', 'Marseille'])}",  # noqa: E501
        f"la carte coûte {rng.randrange(5, 90)} euros",
        f"cela fait {rng.randrange(1, 99)},{rng.randrange(10, 99)} € au total",
        f"ouvert de {hour}:{minute:02d} à {hour + 2}:{minute:02d} le samedi",
        f"mon fils est né en {rng.randrange(1950, 2026)}",
        f"le dossier de {rng.randrange(2000, 2026)} est clos",
        f"nous sommes {rng.randrange(2, 9)} personnes pour le mariage",
        f"le conseil municipal du {day} {MONTHS[month]} {rng.randrange(2020, 2027)}",
        f"il faut {rng.randrange(2, 6)} photos et un justificatif de moins de 3 mois",
        f"le code postal c'est {rng.choice(['44000', '44300', '75001', '35000'])}",
        f"la salle des fêtes pour {rng.randrange(20, 300)} personnes le {day} {MONTHS[month]}",
        f"quatorze heures {day_in_words(minute) if minute else 'pile'} ça me va",
    ]
    return rng.choice(choices)


def _kept_share(before: list[str], after: list[str]) -> int:
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks())


def measure() -> tuple[dict[str, tuple[int, int, list[str]]], tuple[int, int, int, list[str]]]:
    """Per kind: (masked, total, misses); ordinary: (words lost, words, sentences changed,
    changed examples)."""
    rng = random.Random(SEED)
    figures: dict[str, tuple[int, int, list[str]]] = {}
    for kind, (label, count, make) in KINDS.items():
        masked, misses = 0, []
        for i in range(count):
            before, after = rng.choice(BEFORE), rng.choice(AFTER)
            text = " ".join(filter(None, [before, make(rng, i), after]))
            if mask_text(text) == " ".join(filter(None, [before, label, after])):
                masked += 1
            else:
                misses.append(f"{text!r} -> {mask_text(text)!r}")
        figures[kind] = (masked, count, misses)
    lost = words = 0
    changed: list[str] = []
    for _ in range(300):
        text = ordinary(rng)
        out = mask_text(text)
        original = text.split()
        words += len(original)
        lost += len(original) - _kept_share(original, out.split())
        if out != text:
            changed.append(f"{text!r} -> {out!r}")
    return figures, (lost, words, len(changed), changed)


@pytest.fixture(scope="module")
def figures() -> tuple[dict[str, tuple[int, int, list[str]]], tuple[int, int, int, list[str]]]:
    return measure()


def test_the_figures_are_printed_and_hold(
    figures: tuple[dict[str, tuple[int, int, list[str]]], tuple[int, int, int, list[str]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    per_kind, (lost, words, changed, examples) = figures
    total = sum(count for _, count, _ in per_kind.values())
    assert total >= 1000
    with capsys.disabled():
        print(f"\nmasked before storage ({total} sentences with personal data):")
        for kind, (masked, count, _) in per_kind.items():
            print(f"  {kind:16} {masked:4}/{count:<4} {100 * masked / count:6.1f} %")
        print(f"ordinary sentences: 300, changed {changed}; ordinary words wrongly masked "
              f"{lost}/{words} ({100 * lost / words:.2f} %)")
    for kind, (masked, count, misses) in per_kind.items():
        assert masked == count, (kind, misses[:5])  # 100 % of every kind, IBANs and cards too
    assert lost == 0 and changed == 0, examples[:5]
