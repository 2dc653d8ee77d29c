"""`ivr privacy export PHONE` (JSON on standard output) and `ivr privacy erase PHONE --yes`:
a person's right of access and right to erasure, for everything linked to a phone number."""

from __future__ import annotations

import argparse
import json
import sys

from ivr.cli.storage_support import storage_command, transaction
from ivr.privacy.subject import erase_phone, export_phone


@storage_command
def _export(args: argparse.Namespace) -> int:
    with transaction() as s:
        data = export_phone(s, args.phone)
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


@storage_command
def _erase(args: argparse.Namespace) -> int:
    if not args.yes:
        print("ivr: erasure cannot be undone; add --yes to confirm", file=sys.stderr)
        return 2
    with transaction() as s:
        counts = erase_phone(s, args.phone)
    print(json.dumps(counts))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("privacy", help="export or erase the data of a phone number")
    actions = parser.add_subparsers(dest="privacy_action", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="print everything linked to the number (JSON)")
    export.add_argument("phone")
    export.set_defaults(func=_export)
    erase = actions.add_parser("erase", help="delete everything linked to the number")
    erase.add_argument("phone")
    erase.add_argument("--yes", action="store_true", help="confirm the erasure")
    erase.set_defaults(func=_erase)
