"""Back-office accounts: creation, password check (argon2id via argon2-cffi), roles.

`authenticate` spends the same argon2 work whether or not the user exists, so response times
do not tell which usernames exist. Hashes made with older parameters are upgraded on login.
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ivr.storage.errors import Conflict, InvalidValue, NotFound
from ivr.storage.models import ROLES, User, WebSession
from ivr.storage.records import UserRecord
from ivr.storage.savepoint import savepoint
from ivr.storage.types import utc_now

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
PHONE = re.compile(r"[A-Za-z0-9_-]{1,32}")
"""An agent's phone: its PJSIP endpoint name as Asterisk reports it ("101")."""
MIN_PASSWORD = 10
MAX_PASSWORD = 1024


def record_of(row: User) -> UserRecord:
    return UserRecord(
        id=row.id, username=row.username, role=row.role, active=row.active,
        created_at=row.created_at, phone=row.phone,
    )


def check_password_rules(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidValue(f"password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters")


def checked_phone(phone: str | None) -> str | None:
    """The phone as stored: None for none (empty), else an endpoint name (InvalidValue)."""
    phone = (phone or "").strip()
    if not phone:
        return None
    if not PHONE.fullmatch(phone):
        raise InvalidValue("phone: the agent's PJSIP endpoint, 1-32 letters, digits, '-' or '_'"
                           " (for example 101)")
    return phone


def create_user(
    session: Session, hasher: PasswordHasher, username: str, password: str, role: str,
    phone: str | None = None,
) -> UserRecord:
    """Create an active account; Conflict if the username is taken."""
    if not USERNAME.fullmatch(username):
        raise InvalidValue("username: 2-64 lowercase letters, digits, '.', '-' or '_'")
    if role not in ROLES:
        raise InvalidValue(f"role must be one of {ROLES}")
    check_password_rules(password)
    row = User(username=username, password_hash=hasher.hash(password), role=role, active=True,
               created_at=utc_now(), phone=checked_phone(phone))
    with savepoint(session, Conflict(f"user {username} already exists")):
        session.add(row)
    return record_of(row)


def authenticate(
    session: Session, hasher: PasswordHasher, username: str, password: str
) -> UserRecord | None:
    """The active user with that password, None otherwise (unknown, wrong, disabled)."""
    row = session.scalar(select(User).where(User.username == username))
    if row is None or len(password) > MAX_PASSWORD:
        _burn(hasher, password[:MAX_PASSWORD])
        return None
    try:
        hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if not row.active:
        return None
    if hasher.check_needs_rehash(row.password_hash):
        row.password_hash = hasher.hash(password)
        session.flush()
    return record_of(row)


def _burn(hasher: PasswordHasher, password: str) -> None:
    """Spend the time of a real verification (hashing costs the same as verifying)."""
    hasher.hash(password or "-")


def _user(session: Session, username: str) -> User:
    row = session.scalar(select(User).where(User.username == username))
    if row is None:
        raise NotFound(f"no user {username}")
    return row


def get_user(session: Session, user_id: int) -> UserRecord:
    row = session.get(User, user_id)
    if row is None:
        raise NotFound(f"no user {user_id}")
    return record_of(row)


def end_sessions(session: Session, user_id: int) -> int:
    """Sign the user out everywhere (every browser session of theirs); returns how many."""
    result = session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def set_password(session: Session, hasher: PasswordHasher, username: str, password: str) -> None:
    """A new password; every session opened with the old one ends."""
    check_password_rules(password)
    row = _user(session, username)
    row.password_hash = hasher.hash(password)
    end_sessions(session, row.id)
    session.flush()


def set_active(session: Session, username: str, active: bool) -> UserRecord:
    """Enable or disable an account (a disabled user cannot sign in, and their sessions
    end)."""
    row = _user(session, username)
    row.active = active
    if not active:
        end_sessions(session, row.id)
    session.flush()
    return record_of(row)


def set_phone(session: Session, username: str, phone: str | None) -> UserRecord:
    """Name the agent's phone (None or "" for none). Two accounts may share a phone (a desk
    used in turns): the console shows its ringing calls to both."""
    row = _user(session, username)
    row.phone = checked_phone(phone)
    session.flush()
    return record_of(row)


def has_accounts(session: Session) -> bool:
    """Whether any account exists (none on a fresh install: the first admin is created on the
    server, `ivr users add NAME --role admin`)."""
    return session.scalar(select(User.id).limit(1)) is not None


def list_users(session: Session) -> list[UserRecord]:
    return [record_of(row) for row in session.scalars(select(User).order_by(User.username))]
