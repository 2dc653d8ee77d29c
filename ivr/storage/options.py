"""Admin settings kept in the database (the `options` table): typed getters and setters.

Known options:
- `store_audio` (bool, default False): keep callers' audio with the transcript. Off unless an
  admin turns it on (RGPD: collect no more than needed).
- `retention_days` (int, default 30): how long call transcripts are kept before the purge.
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from ivr.storage.errors import InvalidValue
from ivr.storage.models import Option

DEFAULT_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 3650


def _get(session: Session, key: str) -> object:
    row = session.get(Option, key)
    return None if row is None else json.loads(row.value)


def _set(session: Session, key: str, value: object) -> None:
    row = session.get(Option, key)
    if row is None:
        session.add(Option(key=key, value=json.dumps(value)))
    else:
        row.value = json.dumps(value)
    session.flush()


def store_audio(session: Session) -> bool:
    """Whether callers' audio may be stored (False unless an admin turned it on)."""
    return _get(session, "store_audio") is True


def set_store_audio(session: Session, enabled: bool) -> None:
    _set(session, "store_audio", bool(enabled))


def retention_days(session: Session) -> int:
    """Days call transcripts are kept (default 30)."""
    value = _get(session, "retention_days")
    return value if isinstance(value, int) else DEFAULT_RETENTION_DAYS


def set_retention_days(session: Session, days: int) -> None:
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise InvalidValue(f"retention must be between 1 and {MAX_RETENTION_DAYS} days")
    _set(session, "retention_days", int(days))
