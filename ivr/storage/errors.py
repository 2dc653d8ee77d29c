"""Errors raised by the storage layer, each with a machine-readable `code`.

Database driver errors (SQLAlchemy's `IntegrityError`, `OperationalError`) never leave this
package bare: they are wrapped in one of these with `raise ... from err`.
"""

from __future__ import annotations


class StorageError(Exception):
    """Base of every storage error; `code` names the kind for logs and API answers."""

    code = "storage_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DatabaseUnavailable(StorageError):
    """The database cannot be reached or opened."""

    code = "database_unavailable"


class NotFound(StorageError):
    """The requested row does not exist."""

    code = "not_found"


class InvalidValue(StorageError):
    """A value given to a repository function is malformed or out of range."""

    code = "invalid_value"


class SlotTaken(StorageError):
    """Another caller booked this appointment slot first."""

    code = "slot_taken"


class SlotUnavailable(StorageError):
    """The requested time is not a bookable slot of the service (closed, misaligned, past)."""

    code = "slot_unavailable"


class Conflict(StorageError):
    """A unique value (username, flow version...) already exists."""

    code = "conflict"
