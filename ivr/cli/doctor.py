"""`ivr doctor [--config FILE]`: check an install (speech model, espeak-ng voice, database
migrations, AMI login, the dialplan's AudioSocket address, ports, flow, disk, clock).

Output: one line per check, `VERDICT  name : what was found — à faire : fix`, the verdict
being OK, ATTENTION or ÉCHEC. Exit code 0 when nothing failed (warnings allowed), 1 when a
check failed, 2 when the settings cannot be read.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ivr.config import ConfigError, ServiceSettings, load_settings
from ivr.doctor import CHECKS, Check, failed, run_checks


def register(sub: Any) -> None:
    parser = sub.add_parser("doctor", help="check the install: model, voice, database, "
                                           "Asterisk, ports, flow, disk, clock")
    parser.add_argument("--config", type=Path, default=None,
                        help="TOML settings file (default: as `ivr serve`)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
    except ConfigError as err:
        print(f"ÉCHEC     réglages : {err}")
        return 2
    return doctor(settings)


def doctor(settings: ServiceSettings, checks: Sequence[Check] = CHECKS) -> int:
    """Print one line per check; the exit code."""
    where = settings.source or "aucun fichier (valeurs par défaut et variables IVR_*)"
    print(f"réglages : {where}")
    results = run_checks(settings, checks)
    for result in results:
        print(result.line())
    return 1 if failed(results) else 0
