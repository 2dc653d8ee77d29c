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

Lengths: ``limit`` counts characters, and every text is also held to `MAX_VALUE_BYTES` bytes
of UTF-8 (cut between characters): a ``Setvar`` line (``Value: ...`` and CRLF) longer than
1024 bytes is refused by Asterisk as a whole ("line too long"), and 400 characters such as
``€`` are 1,200 bytes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

MAX_VALUE_BYTES = 1000
"""Most UTF-8 bytes of one text sent as a channel variable (Asterisk reads an AMI line of
1024 bytes at most; ``Value: `` and CRLF take 9)."""

CALLER_NAME_CHARS = 80
"""Most characters of a transfer reason, in every path that sends one (`AmiClient.transfer`,
the service's switchboard): the shipped dialplan makes it the caller name the agent's phone
shows, whole (it cannot cut it there: ``${VAR:0:N}`` cuts bytes and can split a letter), so
the bound is applied here, between whole characters. 80 characters of the widest UTF-8 (4
bytes each) are 320 bytes, well inside `MAX_VALUE_BYTES`."""

NO_REASON = "Appel transféré par l'assistant"
"""The agent's caller name when a reason cleans to nothing (a flow's ``{slot}`` left empty, a
reason of symbols only): with an empty reason the shipped dialplan would show the trunk's own
caller name, as its bytes came (invalid UTF-8 included)."""

ASCII_PUNCTUATION = frozenset(" .'-/_@+:")
"""ASCII characters kept besides letters and digits (the dialplan's FILTER set)."""


def safe_char(char: str) -> bool:
    """Whether one character may reach the dialplan."""
    if char.isascii():
        return char.isalnum() or char in ASCII_PUNCTUATION
    return unicodedata.category(char)[0] not in "CZ"


def byte_cut(text: str, max_bytes: int) -> str:
    """The longest start of ``text`` whose UTF-8 form fits in ``max_bytes`` (whole
    characters only)."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", errors="ignore")


def dialplan_text(text: str, limit: int = 120, max_bytes: int = MAX_VALUE_BYTES) -> str:
    """``text`` on one line, made of safe characters only (others become spaces, runs of
    spaces one), at most ``limit`` characters and ``max_bytes`` bytes of UTF-8."""
    cleaned = "".join(c if safe_char(c) else " " for c in text)
    return byte_cut(" ".join(cleaned.split())[:limit], max_bytes).rstrip()


def caller_name(reason: str) -> str:
    """A transfer reason as the agent's caller name: `dialplan_text` of it, at most
    `CALLER_NAME_CHARS` characters (cut between characters), `NO_REASON` when nothing is left
    of it. Never empty."""
    return dialplan_text(reason, CALLER_NAME_CHARS) or NO_REASON


@dataclass(frozen=True, slots=True)
class Pairs:
    """What `pairs_text` made of a mapping: the text, and the names it left out, with why."""

    text: str
    left_out: tuple[tuple[str, str], ...] = ()
    """(name as given, why: ``empty name``, ``same name as another``, ``no room``)."""


def dialplan_pairs(pairs: dict[str, str], limit: int = 400) -> str:
    """`pairs_text`'s text."""
    return pairs_text(pairs, limit).text


def pairs_text(pairs: dict[str, str], limit: int = 400) -> Pairs:
    """``name=value;name=value`` (sorted by name) where neither names nor values can hold the
    separators or anything unsafe, at most ``limit`` characters and `MAX_VALUE_BYTES` bytes.

    Only whole pairs are kept: a pair that would not fit is dropped, never cut (a cut pair
    parses as a name without ``=`` or a wrong value). A name that cleans to nothing, or to a
    name already kept (``a;b`` and ``a b``), is dropped, so the text always parses back into
    distinct names. The names dropped are in ``left_out``."""
    kept: list[str] = []
    left_out: list[tuple[str, str]] = []
    seen: set[str] = set()
    length = size = 0
    for key, value in sorted(pairs.items()):
        name = dialplan_text(key, limit)
        if not name or name in seen:
            left_out.append((key, "same name as another" if name else "empty name"))
            continue
        pair = f"{name}={dialplan_text(value, limit)}"
        extra = len(pair) + (1 if kept else 0)
        extra_bytes = len(pair.encode("utf-8")) + (1 if kept else 0)
        if length + extra > limit or size + extra_bytes > MAX_VALUE_BYTES:
            left_out.append((key, "no room"))
            continue
        seen.add(name)
        kept.append(pair)
        length += extra
        size += extra_bytes
    return Pairs(";".join(kept), tuple(left_out))
