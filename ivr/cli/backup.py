"""`ivr backup FILE` and `ivr restore FILE [--force]`: one tar.gz archive of an install.

The archive holds the database, the configured flow file and its companions, the recorded
prompts folder and the settings file in use, never the Vosk models nor the prompt cache (see
`ivr.backups`). Both print one line per part; exit code 0, or 1 with a one-line message.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from ivr.backups.backup import make_backup
from ivr.backups.errors import BackupError
from ivr.backups.restore import restore_backup
from ivr.config import ConfigError, load_settings
from ivr.storage.errors import StorageError


def _guarded(name: str, run: Callable[[], list[str]]) -> int:
    """Print `run()`'s lines (exit code 0), or its error in one line on stderr (1)."""
    try:
        lines = run()
    except (BackupError, StorageError) as err:
        print(f"ivr {name}: {err.message} ({err.code})", file=sys.stderr)
        return 1
    except ConfigError as err:
        print(f"ivr {name}: {err}", file=sys.stderr)
        return 1
    except SQLAlchemyError as err:
        print(f"ivr {name}: database error {type(err).__name__}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"ivr {name}: {err.strerror or err}: {err.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


def _backup(args: argparse.Namespace) -> int:
    return _guarded("backup", lambda: make_backup(load_settings(args.config), args.file))


def _restore(args: argparse.Namespace) -> int:
    return _guarded("restore",
                    lambda: restore_backup(args.file, config=args.config, force=args.force))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup = sub.add_parser("backup", help="save the database, flow, recorded prompts and "
                            "settings into one tar.gz archive")
    backup.add_argument("file", type=Path, help="archive to write (e.g. standardiste.tar.gz)")
    backup.add_argument("--config", type=Path, default=None,
                        help="settings file (default: $IVR_CONFIG, else "
                             "/etc/standardiste/standardiste.toml when it exists)")
    backup.set_defaults(func=_backup)
    restore = sub.add_parser("restore", help="put an archive made by `ivr backup` back")
    restore.add_argument("file", type=Path, help="archive made by `ivr backup`")
    restore.add_argument("--config", type=Path, default=None,
                         help="where this install reads its settings (the archived settings "
                              "file is written there)")
    restore.add_argument("--force", action="store_true",
                         help="replace a database that is not empty and files that differ")
    restore.set_defaults(func=_restore)
