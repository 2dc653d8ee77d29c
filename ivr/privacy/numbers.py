"""French numbers as spoken, read for masking: how many digits does a run of words carry?

Vosk writes numbers as words ("zéro six douze trente-quatre"). `word_groups` turns a sequence
of number-word atoms (hyphenated words already split) into the numbers they name, grouping
words the way French does ("soixante dix huit" -> 78, "deux mille vingt six" -> 2026,
"six douze" -> 6, 12). Only the digit count matters to the masker, so odd sequences are
grouped on a best-effort basis; they can never make text disappear that is not number words.
"""

from __future__ import annotations

from dataclasses import dataclass

UNITS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
         "sept": 7, "huit": 8, "neuf": 9}
TEENS = {"dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
         "seize": 16}
TENS = {"vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50,
        "soixante": 60, "septante": 70, "huitante": 80, "octante": 80, "nonante": 90}
ZERO = {"zéro", "zero"}
HUNDRED = {"cent", "cents"}
THOUSAND = {"mille", "mil"}
NUMBER_WORDS = frozenset(UNITS) | frozenset(TEENS) | frozenset(TENS) | ZERO | HUNDRED | THOUSAND


def is_number_word(word: str) -> bool:
    """True for a word, or hyphenated compound, made only of French number words."""
    parts = word.lower().split("-")
    return all(part in NUMBER_WORDS for part in parts) and bool(parts)


@dataclass(slots=True)
class _Group:
    value: int
    last: str
    """Kind of the last word: unit, teen, tens, hundred, thousand."""
    last_value: int


def _kind(atom: str) -> tuple[str, int]:
    if atom in UNITS:
        return "unit", UNITS[atom]
    if atom in TEENS:
        return "teen", TEENS[atom]
    if atom in TENS:
        return "tens", TENS[atom]
    if atom in HUNDRED:
        return "hundred", 100
    return "thousand", 1000


def _extend(group: _Group, kind: str, value: int) -> bool:
    """Add the word to the group when French grammar allows it; False to start a new one."""
    below_hundred = group.value % 100
    if kind == "unit":
        ok = (group.last == "tens" and below_hundred % 10 == 0) or group.last in {
            "hundred", "thousand"} or (group.last == "teen" and group.last_value == 10
                                       and below_hundred in {10, 70, 90})
        if ok:
            group.value += value
    elif kind == "teen":
        ok = (group.last == "tens" and below_hundred in {60, 80}) or group.last in {
            "hundred", "thousand"}
        if ok:
            group.value += value
    elif kind == "tens":
        if group.last == "unit" and group.last_value == 4 and value == 20 and below_hundred == 4:
            group.value += 76  # quatre-vingt
            ok = True
        else:
            ok = group.last in {"hundred", "thousand"}
            if ok:
                group.value += value
    elif kind == "hundred":
        below_thousand = group.value % 1000
        ok = (group.last == "unit" and below_thousand < 10) or group.last == "thousand"
        if ok and group.last == "unit":
            group.value += below_thousand * 99  # "cinq cents": 5 -> 500, "mille cinq cents"
        elif ok:
            group.value += 100
    else:
        ok = group.value < 1000 and group.last != "thousand"
        if ok:
            group.value *= 1000
    if ok:
        group.last, group.last_value = kind, value
    return ok


def word_groups(atoms: list[str]) -> list[str]:
    """The digit strings named by number-word atoms ("zéro", "six", "douze" -> "0","6","12")."""
    out: list[str] = []
    group: _Group | None = None
    for raw in atoms:
        atom = raw.lower()
        if atom in ZERO:
            if group is not None:
                out.append(str(group.value))
                group = None
            out.append("0")
            continue
        kind, value = _kind(atom)
        if group is not None and _extend(group, kind, value):
            continue
        if group is not None:
            out.append(str(group.value))
        group = _Group(value=value, last=kind, last_value=value)
    if group is not None:
        out.append(str(group.value))
    return out
