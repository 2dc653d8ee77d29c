"""`ivr check-flow PATH`: validate a flow and its data files, list every problem.

Output: one line per problem, `FILE:LINE: [warning: ]node 'ID': field 'NAME': message`; exit
code 0 when the flow is usable (warnings allowed, unless `--strict`), 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from dialogs.loader import check_flow, errors_of


def register(sub: Any) -> None:
    parser = sub.add_parser("check-flow", help="validate a dialogue flow and list its errors")
    parser.add_argument("path", type=Path, help="flow YAML file")
    parser.add_argument("--strict", action="store_true",
                        help="warnings (wording, keypad access) fail too")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    loaded, issues = check_flow(args.path)
    for issue in issues:
        print(issue, file=sys.stdout)
    errors = errors_of(issues)
    warnings = len(issues) - len(errors)
    if errors or loaded is None or (args.strict and warnings):
        print(f"{args.path}: {len(errors)} error(s), {warnings} warning(s)")
        return 1
    flow = loaded.flow
    print(f"{args.path}: OK, {len(flow.nodes)} nodes, {len(loaded.intents)} intents, "
          f"{len(loaded.knowledge.entries) if loaded.knowledge else 0} knowledge entries, "
          f"{len(loaded.hours.services) if loaded.hours else 0} services"
          + (f", {warnings} warning(s)" if warnings else ""))
    return 0
