"""Helpers shared by the storage sub-commands: open the configured database, report errors."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from ivr.storage.database import Database, DatabaseSettings
from ivr.storage.errors import StorageError


def open_database(upgrade: bool = True) -> Database:
    """The database named by IVR_DATABASE_URL (or the default SQLite file), migrated."""
    database = Database(DatabaseSettings.from_environment())
    if upgrade:
        database.upgrade()
    return database


def storage_command(func: Callable[[Any], int]) -> Callable[[Any], int]:
    """Turn storage errors into a one-line message on stderr and exit code 1."""

    def run(args: Any) -> int:
        try:
            return func(args)
        except StorageError as err:
            print(f"ivr: {err.message} ({err.code})", file=sys.stderr)
            return 1

    return run
