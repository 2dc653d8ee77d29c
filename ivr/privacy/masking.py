"""Masking personal data in transcripts before they are stored.

`mask_text` replaces, in French text as Vosk writes it (lowercase words) or as typed:
- e-mail addresses, written ("jean.dupont@mairie.fr") or spoken ("jean point dupont arobase
  orange point fr") -> "[e-mail]";
- IBAN-like account numbers ("FR76 3000 6000 0112 3456 7890 189", "FR76-3000-...") ->
  "[iban]";
- runs of numbers, in digits or in words, that carry a phone, card or account number:
  7 digits or more, or 4 digits or more in several groups starting with zero or "plus"
  ("zéro six douze ..."). They become "[téléphone]" (starting with 0/+, 9 to 12 digits),
  "[carte]" (13 to 19 digits) or "[numéro]".
Typed forms count too: "tel:06...", "n°06...", "06,12,34,56,78", "(06)12...", "06_12_...",
"+33 (0)6 ...", hesitations inside a spoken number ("zéro six euh douze ..."), and addresses
written "jean.dupont @ gmail.com", "jean.dupont(at)gmail.com" or "jean at gmail dot com".
Dates, times, prices and postcodes ("le vingt-trois mars", "quatorze heures trente",
"deux mille vingt-six", "12/05/2026", "75001") are kept. When in doubt the masker masks: a
lost digit in a transcript harms nobody, a stored phone number does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ivr.privacy.numbers import TENS, is_number_word, word_groups

EMAIL_LABEL = "[e-mail]"
IBAN_LABEL = "[iban]"
PHONE_LABEL = "[téléphone]"
CARD_LABEL = "[carte]"
NUMBER_LABEL = "[numéro]"

# Every repetition is bounded (RFC 5321: local part <= 64, label <= 63 characters) so that
# masking stays linear in the text's length, whatever the text: an unbounded `[\w.]+@` tried
# at every position of a 100 000-character word takes minutes.
_AT = r"(?:@|[(\[{]\s?(?:at|arobase)\s?[)\]}])"
"""The at sign as typed: "@", or spelled in brackets to fool robots ("(at)", "[arobase]")."""
_WRITTEN_EMAIL = re.compile(
    rf"[\w.+-]{{1,64}}\s{{0,3}}{_AT}\s{{0,3}}[\w-]{{1,63}}(?:\.[\w-]{{1,63}}){{1,8}}",
    re.IGNORECASE | re.UNICODE)
_JOINERS = r"(?:point|dot|tiret(?:\s+bas)?|underscore|trait\s+d'union)"
_SPOKEN_EMAIL = re.compile(
    rf"(?:[\w.'-]{{1,40}}\s{{1,3}}{_JOINERS}\s{{1,3}}){{0,8}}[\w.'-]{{1,40}}\s{{1,3}}"
    rf"(?:arobase|arobas|arrobase|at)\s{{1,3}}[\w-]{{1,63}}"
    rf"(?:\s{{1,3}}{_JOINERS}\s{{1,3}}[\w-]{{1,63}}){{0,8}}\s{{1,3}}(?:point|dot)\s{{1,3}}"
    rf"[\w-]{{1,24}}",
    re.IGNORECASE | re.UNICODE,
)
_IBAN = re.compile(
    r"\b[A-Z]{2}\d{2}(?:[\s-]?[A-Z0-9]{4}){2,7}(?:[\s-]?[A-Z0-9]{1,3})?\b", re.IGNORECASE
)
"""Grouped by spaces or dashes ("FR76-3000-6000-..."), or not at all."""
_TOKEN = re.compile(r"\S+")
_SEPARATORS = str.maketrans({c: " " for c in ",_()[]°º"})
"""Typed separators inside numbers ("06,12,34", "06_12", "(06)12", "n°06..."): spaces for the
tokenizer. One character for one, so positions in the text stay the same."""
_LABEL_COLON = re.compile(r"(?<=[^\W\d_])[.]?:")
"""A colon (or ".:") after a letter: "tel:0612...", "Tél.:06..."; not "09:30"."""
FILLERS = frozenset({"euh", "heu", "hum", "hem", "bah", "ben"})
"""Hesitations a caller says inside a number ("zéro six euh douze ...")."""
_EDGE = "«»\"'()[]{},;:!?."
_DIGITS = re.compile(r"\+?\d[\d.\-/]*")
_DATE = re.compile(r"(?:0?[1-9]|[12]\d|3[01])([/.-])(?:0?[1-9]|1[0-2])\1(?:19|20)\d\d")
"""A date typed in one token ("12/05/2026", "3.7.2026"): not a number to mask. A four-digit
year only, so that "06-12-34 56 78" stays a phone number."""


@dataclass(frozen=True, slots=True)
class _Token:
    raw_start: int
    """Where the token starts, leading punctuation included."""
    start: int
    end: int
    word: str
    """The token without surrounding punctuation, lowercase."""


def _shadow(text: str) -> str:
    """The text with typed separators as spaces, character for character."""
    text = _LABEL_COLON.sub(lambda m: " " * len(m.group()), text)
    return text.translate(_SEPARATORS)


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for match in _TOKEN.finditer(_shadow(text)):
        raw = match.group()
        core = raw.strip(_EDGE) if not raw.startswith("+") else "+" + raw[1:].strip(_EDGE)
        if not core:
            continue
        start = match.start() + raw.index(core)
        out.append(_Token(match.start(), start, start + len(core), core.lower()))
    return out


def _numeric(word: str) -> bool:
    return (bool(_DIGITS.fullmatch(word)) and not _DATE.fullmatch(word)) or is_number_word(word)


def _joins(prev: _Token, token: _Token, nxt: _Token | None) -> bool:
    """'et' inside a number: "vingt et un", "soixante et onze"."""
    return (
        token.word == "et"
        and prev.word.split("-")[-1] in TENS
        and nxt is not None
        and nxt.word.split("-")[0] in {"un", "une", "onze"}
    )


def _groups(run: list[_Token]) -> list[str]:
    groups: list[str] = []
    atoms: list[str] = []
    for token in run:
        if token.word == "et" or token.word in FILLERS:
            continue
        if _DIGITS.fullmatch(token.word):
            groups += word_groups(atoms)
            atoms = []
            groups.append(re.sub(r"\D", "", token.word) or "")
        else:
            atoms += token.word.split("-")
    return groups + word_groups(atoms)


def _label(run: list[_Token], plus: bool) -> str | None:
    groups = [g for g in _groups(run) if g]
    digits = "".join(groups)
    leading = plus or run[0].word.startswith("+") or digits.startswith("0")
    if not (len(digits) >= 7 or (leading and len(digits) >= 4 and len(groups) >= 2)):
        return None
    international = plus or run[0].word.startswith("+") or digits.startswith("00")
    if (international and 8 <= len(digits) <= 15) or (leading and 9 <= len(digits) <= 12):
        return PHONE_LABEL
    if 13 <= len(digits) <= 19:
        return CARD_LABEL
    return NUMBER_LABEL


def _mask_number_runs(text: str) -> str:
    tokens = _tokens(text)
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        if not _numeric(tokens[i].word):
            i += 1
            continue
        run = [tokens[i]]
        j = i + 1
        while j < len(tokens):
            nxt = tokens[j + 1] if j + 1 < len(tokens) else None
            if _numeric(tokens[j].word) or _joins(tokens[j - 1], tokens[j], nxt) or (
                    tokens[j].word in FILLERS and nxt is not None and _numeric(nxt.word)):
                run.append(tokens[j])
                j += 1
            else:
                break
        plus = i > 0 and tokens[i - 1].word == "plus"
        label = _label(run, plus)
        if label is not None:
            start = tokens[i - 1].raw_start if plus else run[0].raw_start
            while start > 0 and text[start - 1] in "([":  # "(06) 12 ...": the bracket too
                start -= 1
            spans.append((start, run[-1].end, label))
        i = j
    for start, end, label in reversed(spans):
        text = text[:start] + label + text[end:]
    return text


def mask_text(text: str) -> str:
    """The text with e-mail addresses, IBANs and phone/card numbers replaced by labels."""
    text = _WRITTEN_EMAIL.sub(EMAIL_LABEL, text)
    text = _SPOKEN_EMAIL.sub(EMAIL_LABEL, text)
    text = _IBAN.sub(IBAN_LABEL, text)
    return _mask_number_runs(text)
