"""Writers' keys: the id a writer gives a row it may write again (the call recorder's UUID
for a turn or a callback request), so that a retry whose first try's COMMIT went through
finds that row instead of storing it twice."""

from __future__ import annotations

from ivr.storage.errors import InvalidValue

KEY_CHARS = 36
"""Longest key (a UUID's text); the `write_key` columns' length."""


def checked_key(key: str, what: str) -> str:
    """`key` when it is 1 to `KEY_CHARS` characters; `InvalidValue` naming `what` otherwise."""
    if not key or len(key) > KEY_CHARS:
        raise InvalidValue(f"a {what}'s key must be 1 to {KEY_CHARS} characters")
    return key
