"""`ivr test-flows [PATH]`: play the expected conversations written next to a flow.

PATH is a `*.tests.yaml` file, a flow file (its `NAME.tests.yaml` is used) or a directory (all
its `*.tests.yaml`); default: the town-hall flow's tests. Prints one line per conversation and
the differences of those that fail; exit code 1 when any fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from dialogs.errors import DialogsError, FlowError
from dialogs.runtime import default_flow_path, french_understander
from dialogs.scenarios import load_suite, run_suite, tests_file_for


def register(sub: Any) -> None:
    parser = sub.add_parser("test-flows", help="run the conversation tests of a flow")
    parser.add_argument("path", type=Path, nargs="?", default=None,
                        help="tests file, flow file or directory (default: town-hall flow)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    paths = tests_file_for(args.path or default_flow_path())
    if not paths:
        print(f"ivr test-flows: no *.tests.yaml in {args.path}", file=sys.stderr)
        return 1
    failed = total = 0
    for path in paths:
        try:
            suite = load_suite(path)
            outcomes = run_suite(suite, french_understander)
        except FlowError as err:
            for issue in err.issues:
                print(issue, file=sys.stderr)
            return 1
        except DialogsError as err:
            print(f"ivr test-flows: {err}", file=sys.stderr)
            return 1
        for outcome in outcomes:
            total += 1
            if outcome.passed:
                print(f"PASS  {path.name}: {outcome.name}")
                continue
            failed += 1
            print(f"FAIL  {path.name}: {outcome.name}")
            for failure in outcome.failures:
                print(f"  {failure}")
    print(f"{total - failed} passed, {failed} failed")
    return 1 if failed else 0
