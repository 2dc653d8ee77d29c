"""Free text made safe to travel as a channel variable into the dialplan.

Transfer reasons and summaries come from flows (written by admins) and, through ``{slot}``
placeholders, from what callers said. Asterisk gives meaning to many characters: ``,`` and
``|`` split application arguments, ``( ) ? :`` and quotes build ``ExecIf``/``GotoIf``
conditions, ``$ [ ] { }`` start expressions and substitutions, ``& = ! < >`` are operators. A
value holding them can turn into commands (``System()``) wherever a dialplan evaluates it.

The shipped dialplan never evaluates these values and filters them again with the same set
(``FILTER()`` in ``extensions_standardiste.conf``); the service only ever sends text made of:
letters and digits (any script), single spaces, ``. ' - / _ @ + :`` and non-ASCII characters
that are neither controls nor format characters (``« » ’ °`` stay). Everything else becomes a
space; a time ``14:30`` keeps its colon, which is harmless without parentheses or quotes.
"""

from __future__ import annotations

import unicodedata

ASCII_PUNCTUATION = frozenset(" .'-/_@+:")
"""ASCII characters kept besides letters and digits (the dialplan's FILTER set)."""


def safe_char(char: str) -> bool:
    """Whether one character may reach the dialplan."""
    if char.isascii():
        return char.isalnum() or char in ASCII_PUNCTUATION
    return unicodedata.category(char)[0] not in "CZ"


def dialplan_text(text: str, limit: int = 120) -> str:
    """``text`` on one line, made of safe characters only (others become spaces, runs of
    spaces one), at most ``limit`` characters."""
    cleaned = "".join(c if safe_char(c) else " " for c in text)
    return " ".join(cleaned.split())[:limit].rstrip()


def dialplan_pairs(pairs: dict[str, str], limit: int = 400) -> str:
    """``name=value;name=value`` (sorted by name) where neither names nor values can hold the
    separators or anything unsafe, at most ``limit`` characters.

    Only whole pairs are kept: a pair that would not fit is dropped, never cut (a cut pair
    parses as a name without ``=`` or a wrong value). A name that cleans to nothing, or to a
    name already kept (``a;b`` and ``a b``), is dropped, so the text always parses back into
    distinct names."""
    kept: list[str] = []
    seen: set[str] = set()
    length = 0
    for key, value in sorted(pairs.items()):
        name = dialplan_text(key, limit)
        if not name or name in seen:
            continue
        pair = f"{name}={dialplan_text(value, limit)}"
        extra = len(pair) + (1 if kept else 0)
        if length + extra > limit:
            continue
        seen.add(name)
        kept.append(pair)
        length += extra
    return ";".join(kept)
