"""Errors of backups and restores, each with a machine-readable `code`."""

from __future__ import annotations


class BackupError(Exception):
    """Base of every backup or restore error; `code` names the kind."""

    code = "backup_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ArchiveRefused(BackupError):
    """The file is not one of our archives, or holds something a restore must not write."""

    code = "archive_refused"


class RestoreConflict(BackupError):
    """The restore would replace data already there (the database is not empty, a file
    differs) and `--force` was not given."""

    code = "restore_conflict"


class ToolMissing(BackupError):
    """An external program the backup needs (pg_dump, pg_restore) is not installed."""

    code = "tool_missing"
