"""`ivr purge [--days N]`: delete call transcripts older than the retention period now
(the service also does it daily). Prints what was deleted as JSON."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from ivr.cli.storage_support import storage_command, transaction
from ivr.privacy.purge import purge_expired_data


@storage_command
def _purge(args: argparse.Namespace) -> int:
    with transaction() as s:
        report = purge_expired_data(s, retention_days=args.days)
    print(json.dumps(asdict(report), default=str))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("purge", help="delete data older than the retention period")
    parser.add_argument("--days", type=int, default=None,
                        help="retention in days (default: the admin setting, 30 unless changed)")
    parser.set_defaults(func=_purge)
