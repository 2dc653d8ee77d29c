"""French telephone numbers said aloud, as 10 digits ("0612345678").

Callers say numbers in pairs ("zéro six douze trente-quatre cinquante-six soixante-dix-huit"),
digit by digit, or mixed; "zéro zéro" is two digits; "+33 6 ..." and "zéro zéro trente-trois
6 ..." become "06..."; so does "six douze..." when the leading zero was not said. A spoken
pair like "soixante dix huit" can also be read "soixante", "dix-huit", so the readings of a
run of number words are tried and the first giving a valid French number wins (the
longest-word reading first). Anything else is None.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from dialogs.nlu.numbers import below_100_options, number_continuations

# Words that may sit inside a spoken number without ending it.
_JOINERS = frozenset({"plus", "+", "tiret", "point"})
_MAX_READINGS = 2000


_TEENS = frozenset({"dix", "onze", "douze", "treize", "quatorze", "quinze", "seize"})


def _options(keys: Sequence[str], i: int, end: int) -> list[tuple[int, int]]:
    """Readings of one spoken number at i: the longest, plus the two splits people do make
    ("soixante | dix-huit" = 60 18, "quatre | vingt..." = 4 20...)."""
    options = [option for option in below_100_options(keys, i) if option[1] <= end]
    if not options:
        return []
    hundreds = options[0][1]
    if hundreds < end and keys[hundreds] in ("cent", "cents") and 1 <= options[0][0] <= 9:
        # "zéro huit cent..." (0 800...): a three-digit group, with its tens if said.
        rest = [o for o in below_100_options(keys, hundreds + 1) if o[1] <= end and o[0] > 0]
        value = options[0][0] * 100
        merged = [(value + rest[0][0], rest[0][1])] if rest else []
        return [(value, hundreds + 1), *merged]
    kept = [options[0]]
    for value, stop in options[1:]:
        following = keys[stop] if stop < end else ""
        if (value == 60 and following in _TEENS) or (value == 4 and following == "vingt"):
            kept.append((value, stop))
    return kept


def _readings(
    keys: Sequence[str], i: int, end: int, budget: list[int]
) -> Iterator[tuple[str, ...]]:
    """Chunkings of the words keys[i:end] into spoken numbers, longest words first.

    A chunk is a digit token as written, or the digits of one number said in words
    ("douze" -> "12", "six" -> "6").
    """
    if i == end:
        yield ()
        return
    if budget[0] <= 0:
        return
    budget[0] -= 1
    key = keys[i]
    if key in _JOINERS:
        yield from _readings(keys, i + 1, end, budget)
        return
    if key.isdigit():
        for rest in _readings(keys, i + 1, end, budget):
            yield ("=" + key, *rest)
        return
    for value, stop in _options(keys, i, end):
        for rest in _readings(keys, stop, end, budget):
            yield (str(value), *rest)


def _as_french(chunks: tuple[str, ...], international: bool) -> str | None:
    """The 10-digit number the chunks spell, or None.

    Numbers said in words come in pairs aligned on the written form: a two-digit word chunk
    must start at an even position of "0X XX XX XX XX" (digit tokens, marked "=", are free).
    """
    digits = "".join(chunk.lstrip("=") for chunk in chunks)
    prefix = 0
    if international or digits.startswith(("0033", "33")):
        prefix = 4 if digits.startswith("0033") else 2 if digits.startswith("33") else -1
        if prefix < 0:
            return None
        if digits[prefix : prefix + 1] == "0":
            prefix += 1
        local = "0" + digits[prefix:]
        shift, boundary = 1 - prefix, 1
    elif len(digits) == 9 and digits[0] != "0":  # "six douze trente-quatre...": zero unsaid
        local, shift, boundary = "0" + digits, 1, 1
    else:
        local, shift, boundary = digits, 0, 0
    if len(local) != 10 or local[0] != "0" or local[1] == "0":
        return None
    position = 0
    for chunk in chunks:
        width = len(chunk.lstrip("="))
        where = position + shift
        spoken = not chunk.startswith("=")
        if spoken and where < boundary < where + width:
            return None
        if spoken and where >= boundary and width == 2 and where % 2:
            return None
        position += width
    return local


def _runs(keys: Sequence[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of number words or digits."""
    start: int | None = None
    for i, key in enumerate([*keys, ""]):
        numeric = bool(key) and (
            key.isdigit()
            or key in _JOINERS
            or key in ("et", "cent", "cents")
            or bool(below_100_options(keys, i))
        )
        if numeric and start is None and key not in ("et", "cent", "cents"):
            start = i
        elif not numeric and start is not None:
            yield start, i
            start = None


def find_phone(keys: Sequence[str]) -> str | None:
    """The first French telephone number said in `keys`, digits only, or None."""
    for start, end in _runs(keys):
        while end > start and keys[end - 1] in ("et", *_JOINERS):
            end -= 1
        international = keys[start] in ("plus", "+")
        # A run can carry number words before the phone number ("un" article)
        # and after it ("un rendez-vous"): try nearby starts and ends too.
        inside = number_continuations(keys)
        for first in range(start, min(end, start + 3)):
            if first in inside:
                continue
            for last in range(end, max(first, end - 3), -1):
                if last < len(keys) and last in inside:
                    continue
                budget = [_MAX_READINGS]
                for chunks in _readings(keys, first, last, budget):
                    found = _as_french(chunks, international)
                    if found is not None:
                        return found
    return None
