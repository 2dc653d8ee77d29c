"""Human-friendly references ("SIG-2026-000123"), unique even under concurrent callers.

Each prefix and year has a row in `counters`; taking a number is one `UPDATE ... RETURNING`
on that row, which the database serialises (PostgreSQL row lock, SQLite's single writer), so
two transactions can never get the same number. The unique constraint on the reference
column stays as a last safety net.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ivr.storage.errors import InvalidValue
from ivr.storage.models import Counter


def next_number(session: Session, counter: str) -> int:
    """Take the next number (from 1) of a named counter."""
    if not counter or len(counter) > 32:
        raise InvalidValue("counter name must be 1 to 32 characters")
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(Counter).values(name=counter, value=0).on_conflict_do_nothing(
            index_elements=["name"]
        )
    )
    value = session.scalar(
        update(Counter)
        .where(Counter.name == counter)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    if value is None:  # pragma: no cover - the row was inserted just above
        raise InvalidValue(f"counter {counter} vanished")
    return int(value)


def reference(session: Session, prefix: str, year: int) -> str:
    """`PREFIX-YEAR-NNNNNN`, the next one for that prefix and year."""
    number = next_number(session, f"{prefix}-{year}")
    return f"{prefix}-{year}-{number:06d}"
