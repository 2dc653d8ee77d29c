"""Failed sign-ins counted in the database (shared by every worker), per rate-limit key.

Keys ("pair:<address>|<username>", "addr:<address>") are stored as SHA-256 digests, and a
failure older than the window is deleted at the next failure: the table holds no readable
address or username, and nothing longer than the window.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ivr.storage.models import SignInFailure


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def recent_failures(session: Session, keys: Iterable[str], since: float
                    ) -> dict[str, list[float]]:
    """Key -> the times of its failures after `since`, oldest first (keys with none left
    out). Blocked attempts are not counted, so a key has about the limit's number at most."""
    hashes = {key_hash(k): k for k in keys}
    rows = session.execute(
        select(SignInFailure.key_hash, SignInFailure.at)
        .where(SignInFailure.key_hash.in_(hashes), SignInFailure.at > since)
        .order_by(SignInFailure.at))
    found: dict[str, list[float]] = {}
    for digest, at in rows:
        found.setdefault(hashes[digest], []).append(float(at))
    return found


def add_failure(session: Session, keys: Iterable[str], at: float, forget_before: float) -> None:
    """Count one failure against each key, and forget every failure before `forget_before`."""
    session.execute(delete(SignInFailure).where(SignInFailure.at <= forget_before))
    session.add_all(SignInFailure(key_hash=key_hash(k), at=at) for k in keys)
    session.flush()


def forget(session: Session, key: str) -> None:
    session.execute(delete(SignInFailure).where(SignInFailure.key_hash == key_hash(key)))
