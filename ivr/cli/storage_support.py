"""Helpers shared by the storage sub-commands: open the configured database, report errors."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from ivr.storage.database import Database, DatabaseSettings
from ivr.storage.errors import StorageError


def open_database(upgrade: bool = True) -> Database:
    """The database named by IVR_DATABASE_URL (or the default SQLite file), migrated."""
    database = Database(DatabaseSettings.from_environment())
    if upgrade:
        database.upgrade()
    return database


@contextmanager
def transaction() -> Iterator[Session]:
    """One transaction on the configured database (migrated first), closed afterwards."""
    database = open_database()
    try:
        with database.transaction() as session:
            yield session
    finally:
        database.dispose()


def storage_command(func: Callable[[Any], int]) -> Callable[[Any], int]:
    """Turn storage errors into a one-line message on stderr and exit code 1."""

    def run(args: Any) -> int:
        try:
            return func(args)
        except StorageError as err:
            print(f"ivr: {err.message} ({err.code})", file=sys.stderr)
            return 1

    return run
