"""Normalisation of spoken French (Vosk output) for matching.

Vosk gives lowercase words without punctuation, numbers spelled out, elisions sometimes split
("l' acte", "l acte") and hyphens sometimes missing. Everything downstream works on a list of
`Token`s: `surface` is the word as said (lowercase, accents kept, elided forms without the
apostrophe: "l", "qu"), `key` is the same word without accents, used for all comparisons.
Hyphenated words are split ("quatre-vingt-dix" -> "quatre", "vingt", "dix"); hesitation
fillers ("euh", "ben"...) are dropped. Nothing here raises on odd input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

FILLERS = frozenset(
    {"euh", "euhh", "euhhh", "heu", "heuu", "hum", "humm", "hmm", "mmh", "mh", "bah", "ben",
     "beh", "eh", "ah", "oh", "bref", "ouf"}
)
"""Hesitation words that carry no meaning for matching (accent-free keys)."""

# Elided words that Vosk writes glued with an apostrophe ("l'acte"), split ("l' acte") or
# with the apostrophe lost ("l acte"); all three end up as two tokens "l" + "acte".
_ELIDED = ("jusqu", "lorsqu", "puisqu", "quoiqu", "qu", "l", "d", "j", "n", "s", "m", "t", "c")
_ELISION_RE = re.compile(r"\b(" + "|".join(_ELIDED) + r")['’]\s*", re.IGNORECASE)
# Words that keep their apostrophe as part of one word.
_GLUED = {"aujourd'hui": "aujourdhui", "aujourd hui": "aujourdhui", "prud'homme": "prudhomme"}
_NON_WORD_RE = re.compile(r"[^\w+]+")


@dataclass(frozen=True, slots=True)
class Token:
    """One spoken word."""

    surface: str
    """The word lowercased, accents kept ("décembre")."""
    key: str
    """The word lowercased without accents ("decembre"): what matching compares."""


def strip_accents(text: str) -> str:
    """`text` without diacritics ("déchèterie" -> "decheterie"); "œ" becomes "oe"."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokenize(text: str, *, keep_fillers: bool = False) -> list[Token]:
    """Tokens of an utterance, fillers dropped unless `keep_fillers`."""
    if not isinstance(text, str):
        return []
    lowered = unicodedata.normalize("NFC", text).lower().replace("’", "'").replace("`", "'")
    for glued, single in _GLUED.items():
        lowered = lowered.replace(glued, single)
    lowered = _ELISION_RE.sub(lambda m: m.group(1) + " ", lowered)
    # Keep "9h30", "14:30" and "+33" readable for the entity parsers: ':' becomes 'h'.
    lowered = re.sub(r"(\d)\s*:\s*(\d)", r"\1h\2", lowered)
    tokens: list[Token] = []
    for word in _NON_WORD_RE.split(lowered.replace("_", " ")):
        if not word:
            continue
        if word.startswith("+") and len(word) > 1:
            tokens.append(Token("+", "+"))
            word = word.lstrip("+")
            if not word:
                continue
        elif "+" in word:
            word = word.replace("+", "")
            if not word:
                continue
        key = strip_accents(word)
        if not keep_fillers and key in FILLERS:
            continue
        tokens.append(Token(word, key))
    return tokens


def normalize(text: str) -> str:
    """Accent-free, filler-free, space-separated words of `text` (the matching form)."""
    return " ".join(token.key for token in tokenize(text))


def detokenize(tokens: Sequence[Token]) -> str:
    """The surfaces joined back into readable text, elisions glued ("l' acte" -> "l'acte")."""
    parts: list[str] = []
    for token in tokens:
        if parts and parts[-1].endswith("'"):
            parts[-1] += token.surface
        elif token.key in _ELIDED:
            parts.append(token.surface + "'")
        else:
            parts.append(token.surface)
    return " ".join(part.rstrip("'") if part.endswith("'") else part for part in parts)
