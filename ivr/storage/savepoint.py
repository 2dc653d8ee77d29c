"""Letting the database decide uniqueness: run a block in a SAVEPOINT, turn a constraint
violation into the repository's own error, and keep the outer transaction usable."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ivr.storage.errors import StorageError


@contextmanager
def savepoint(session: Session, on_violation: StorageError) -> Iterator[None]:
    """Run the block in a SAVEPOINT and flush it; if the database refuses it (unique or other
    integrity constraint), only the block is rolled back and `on_violation` is raised."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError as err:
        raise on_violation from err
