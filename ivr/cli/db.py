"""`ivr db upgrade` (apply migrations) and `ivr db current` (show the schema revision).

The database is IVR_DATABASE_URL, else the SQLite file in $XDG_DATA_HOME/standardiste/.
"""

from __future__ import annotations

import argparse

from ivr.cli.storage_support import open_database, storage_command
from ivr.storage.migrate import current_revision, head_revision


@storage_command
def _upgrade(args: argparse.Namespace) -> int:
    database = open_database(upgrade=True)
    try:
        print(f"database at revision {current_revision(database.engine)}")
    finally:
        database.dispose()
    return 0


@storage_command
def _current(args: argparse.Namespace) -> int:
    database = open_database(upgrade=False)
    try:
        current, head = current_revision(database.engine), head_revision()
    finally:
        database.dispose()
    state = "up to date" if current == head else f"behind (newest is {head})"
    print(f"database at revision {current or 'none'}: {state}")
    return 0 if current == head else 2


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("db", help="database schema migrations")
    actions = parser.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    actions.add_parser("upgrade", help="apply every pending migration").set_defaults(
        func=_upgrade)
    actions.add_parser("current", help="show the schema revision (exit 2 if behind)"
                       ).set_defaults(func=_current)
