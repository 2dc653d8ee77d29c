"""French cardinal numbers spelled out in words, read from accent-free token keys.

Works on the `key`s of `normalize.tokenize` (hyphens already split): "quatre vingt dix neuf",
"vingt et un", "soixante dix huit", "deux mille vingt six", "12". Functions take the list of
keys and a start index and return `(value, end)` where `end` is the index after the last word
used, or None; they never raise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

UNITS: dict[str, int] = {
    "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
    "quatorze": 14, "quinze": 15, "seize": 16,
}
TENS: dict[str, int] = {
    "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
    "septante": 70, "huitante": 80, "octante": 80, "nonante": 90,
}
NUMBER_WORDS = frozenset(UNITS) | frozenset(TENS) | {"cent", "cents", "mille", "et"}


def _digits(key: str) -> int | None:
    return int(key) if key.isdigit() and len(key) <= 9 else None


def _teen_after_dix(keys: Sequence[str], i: int) -> list[tuple[int, int]]:
    """Options for "dix" [sept|huit|neuf] starting at i (which must be "dix")."""
    options = [(10, i + 1)]
    if i + 1 < len(keys) and keys[i + 1] in ("sept", "huit", "neuf"):
        options.append((10 + UNITS[keys[i + 1]], i + 2))
    return options


def _after_tens(keys: Sequence[str], i: int, base: int) -> list[tuple[int, int]]:
    """Options for what may follow a tens word (20..80) whose next word is at i."""
    options: list[tuple[int, int]] = []
    n = len(keys)
    if i < n and keys[i] == "et" and i + 1 < n:
        if keys[i + 1] in ("un", "une"):
            options.append((base + 1, i + 2))
        elif keys[i + 1] == "onze" and base in (60, 80):
            options.append((base + 11, i + 2))
    if i < n:
        word = keys[i]
        if word in UNITS and 1 <= UNITS[word] <= 9:
            options.append((base + UNITS[word], i + 1))
        elif base in (60, 80) and word == "dix":
            options.extend((base + value, end) for value, end in _teen_after_dix(keys, i))
        elif base in (60, 80) and word in UNITS and 11 <= UNITS[word] <= 16:
            options.append((base + UNITS[word], i + 1))
    return options


def below_100_options(keys: Sequence[str], i: int) -> list[tuple[int, int]]:
    """Every way to read a number below 100 starting at i, longest first.

    "soixante dix huit" gives (78, i+3), (70, i+2), (60, i+1); phone numbers need the
    alternatives when the greedy reading gives the wrong count of digits.
    """
    if i >= len(keys):
        return []
    word = keys[i]
    options: list[tuple[int, int]] = []
    if word.isdigit() and len(word) <= 2:
        options.append((int(word), i + 1))
    elif word == "dix":
        options.extend(_teen_after_dix(keys, i))
    elif word == "quatre" and i + 1 < len(keys) and keys[i + 1] in ("vingt", "vingts"):
        options.append((4, i + 1))
        options.append((80, i + 2))
        options.extend(_after_tens(keys, i + 2, 80))
    elif word in UNITS:
        options.append((UNITS[word], i + 1))
    elif word in TENS:
        base = TENS[word]
        options.append((base, i + 1))
        options.extend(_after_tens(keys, i + 1, base))
    return sorted(set(options), key=lambda option: -option[1])


def _below_100(keys: Sequence[str], i: int) -> tuple[int, int] | None:
    options = below_100_options(keys, i)
    return options[0] if options else None


Reader = Callable[[Sequence[str], int], tuple[int, int] | None]


def _scaled(
    keys: Sequence[str], i: int, words: tuple[str, ...], scale: int, lower: Reader, most: int
) -> tuple[int, int] | None:
    """ "[n] <scale word> [rest]" at i, where n (2..most) and rest are read by `lower`:
    "deux cent douze" (scale 100), "trois mille deux cents" (scale 1000)."""
    n = len(keys)
    if i < n and keys[i] in words:
        base, j = scale, i + 1
    else:
        first = lower(keys, i)
        if first is None:
            return None
        value, j = first
        if not (j < n and keys[j] in words and 2 <= value <= most):
            return first
        base, j = value * scale, j + 1
    rest = lower(keys, j)
    if rest is not None and rest[0] > 0:
        return base + rest[0], rest[1]
    return base, j


def _below_1000(keys: Sequence[str], i: int) -> tuple[int, int] | None:
    return _scaled(keys, i, ("cent", "cents"), 100, _below_100, 9)


def parse_cardinal(keys: Sequence[str], i: int) -> tuple[int, int] | None:
    """The longest cardinal number starting at i ("deux mille vingt six" -> 2026), or None."""
    if i >= len(keys):
        return None
    digits = _digits(keys[i])
    if digits is not None:
        return digits, i + 1
    return _scaled(keys, i, ("mille",), 1000, _below_1000, 999)


def first_cardinal(keys: Sequence[str]) -> tuple[int, int, int] | None:
    """The first cardinal in `keys` as (value, start, end), or None."""
    for i, key in enumerate(keys):
        if key == "et":
            continue
        found = parse_cardinal(keys, i)
        if found is not None:
            return found[0], i, found[1]
    return None


def number_continuations(keys: Sequence[str]) -> set[int]:
    """Indexes of words that continue a number begun earlier ("cinq" in "vingt cinq"):
    a value read from there would be a piece of a bigger number."""
    inside: set[int] = set()
    i = 0
    while i < len(keys):
        found = parse_cardinal(keys, i) if keys[i] != "et" else None
        if found is not None and found[1] > i + 1:
            inside.update(range(i + 1, found[1]))
            i = found[1]
        else:
            i += 1
    return inside
