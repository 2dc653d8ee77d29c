"""Errors of the French understanding package, each with a machine-readable `code`."""

from __future__ import annotations


class NluError(Exception):
    """Base of every error raised by `dialogs.nlu`."""

    code = "nlu_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class IntentsFileError(NluError):
    """The intents file is missing, unreadable or malformed (the message says where)."""

    code = "intents_file_invalid"
