"""Signed-in browser sessions, kept server-side so they can expire and be revoked.

The browser's cookie holds a random 256-bit token; the table holds its SHA-256 (a stolen
database does not give usable cookies), the user, a CSRF token for forms, and the expiry.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ivr.storage.models import User, WebSession
from ivr.storage.records import UserRecord
from ivr.storage.types import utc_now
from ivr.storage.users import record_of as user_record


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A live session: who, its CSRF token and when it ends."""

    user: UserRecord
    csrf_token: str
    expires_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(session: Session, user_id: int, ttl: timedelta) -> tuple[str, SignedIn]:
    """Start a session for the user; returns (cookie token, session)."""
    token = secrets.token_urlsafe(32)
    now = utc_now()
    row = WebSession(
        token_hash=_hash(token), user_id=user_id, csrf_token=secrets.token_urlsafe(32),
        created_at=now, expires_at=now + ttl,
    )
    session.add(row)
    session.flush()
    user = session.get(User, user_id)
    assert user is not None
    return token, SignedIn(user_record(user), row.csrf_token, row.expires_at)


def resolve(session: Session, token: str, now: datetime | None = None) -> SignedIn | None:
    """The live session for a cookie token; None if unknown, expired or the user disabled."""
    if not token or len(token) > 128:
        return None
    row = session.get(WebSession, _hash(token))
    if row is None:
        return None
    if row.expires_at <= (now or utc_now()):
        session.delete(row)
        session.flush()
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return SignedIn(user_record(user), row.csrf_token, row.expires_at)


def close_session(session: Session, token: str) -> None:
    """Sign out: forget the session (nothing happens for an unknown token)."""
    session.execute(delete(WebSession).where(WebSession.token_hash == _hash(token)))


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Delete expired sessions; returns how many."""
    result = session.execute(delete(WebSession).where(WebSession.expires_at <= (now or utc_now())))
    return int(getattr(result, "rowcount", 0) or 0)
