"""Phone numbers as storage keys.

Every phone number stored (caller id, callback number, booking contact) goes through
`normalise_phone`, so that export and erasure by phone number find all rows whatever the
spelling: French numbers become the 10-digit national form ("0612345678"), foreign numbers
"+<country code><digits>", short numbers (internal extensions, "3939") stay digits.
"""

from __future__ import annotations

import re

from ivr.storage.errors import InvalidValue

_SEPARATORS = re.compile(r"[\s.\-/()]")
_SHAPE = re.compile(r"\+?[0-9]{2,15}")
"""ASCII digits only: `\\d` also takes other scripts' digits ("٠٦"), which no dialler sends."""


def normalise_phone(raw: str) -> str:
    """Return the storage form of a phone number; InvalidValue when it is not one."""
    compact = _SEPARATORS.sub("", raw)
    if not _SHAPE.fullmatch(compact):
        raise InvalidValue(f"not a phone number: {raw!r}")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+33"):
        national = "0" + compact[3:]
        if len(national) != 10:
            raise InvalidValue(f"a French number has 10 digits: {raw!r}")
        return national
    return compact


def optional_phone(raw: str | None) -> str | None:
    """`normalise_phone` for caller ids that may be absent ("", "anonymous", None -> None)."""
    if raw is None or raw.strip().lower() in {"", "anonymous", "unknown", "private"}:
        return None
    return normalise_phone(raw)
