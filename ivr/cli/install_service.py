"""`ivr install-service [--root PREFIX] [--user NAME]`: install this checkout as a systemd
service run by a dedicated system user (see `ivr.install.service`). Run as root; a second run
updates the unit and keeps the settings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ivr.install.service import USER, InstallError, InstallOptions, install_service


def _run(args: argparse.Namespace) -> int:
    try:
        lines = install_service(InstallOptions(root=args.root, user=args.user))
    except (InstallError, OSError) as err:
        print(f"ivr install-service: {err}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("install-service",
                            help="run standardiste as a systemd service (as root)")
    parser.add_argument("--root", type=Path, default=Path("/"),
                        help="prefix of the written files (default /; another for packaging)")
    parser.add_argument("--user", default=USER, help=f"the service's system user ({USER})")
    parser.set_defaults(func=_run)
