"""`ivr flows import|list|publish`: flow versions in the database.

`ivr flows import [FILE] [--publish]` stores a flow file `NAME.yaml` and its `NAME.*.yaml`
companions (intents, knowledge base, hours, tests...) as a new version of flow NAME, after the
same checks as the back office (default: the shipped town-hall flow, "mairie"); `--publish` also
publishes it when its conversation tests pass. `ivr flows list` shows the versions;
`ivr flows publish NAME VERSION` publishes one (tests first).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dialogs.runtime import default_flow_path, french_understander
from ivr.cli.storage_support import storage_command, transaction
from ivr.flow_versions import FlowRejected, import_directory, publish_checked
from ivr.storage import flows


def _report(err: FlowRejected) -> int:
    print(f"ivr flows: {err.message}", file=sys.stderr)
    for issue in (err.checked.errors if err.checked else ()):
        print(f"  {issue}", file=sys.stderr)
    if err.report is not None:
        for issue in err.report.issues:
            print(f"  {issue}", file=sys.stderr)
        for filename, outcome in err.report.failures:
            print(f"  FAIL {filename}: {outcome.name}", file=sys.stderr)
            for failure in outcome.failures:
                print(f"    {failure}", file=sys.stderr)
    return 1


@storage_command
def _import(args: argparse.Namespace) -> int:
    path: Path = args.file or default_flow_path()
    if not path.is_file():
        print(f"ivr flows: no flow file {path}", file=sys.stderr)
        return 1
    try:
        record = import_directory(transaction, path, name=args.name, author=args.author,
                                  make_understander=french_understander,
                                  publish=args.publish)
    except FlowRejected as err:
        return _report(err)
    state = "published" if args.publish else "not published"
    print(f"flow {record.name}: version {record.version} imported ({state})")
    return 0


@storage_command
def _list(args: argparse.Namespace) -> int:
    with transaction() as s:
        versions = flows.list_versions(s)
    for v in versions:
        mark = "published" if v.published else ""
        print(f"{v.name}\t{v.version}\t{v.author}\t{v.created_at:%Y-%m-%d %H:%M}\t{mark}")
    return 0


@storage_command
def _publish(args: argparse.Namespace) -> int:
    try:
        publish_checked(transaction, args.name, args.version,
                        make_understander=french_understander)
    except FlowRejected as err:
        return _report(err)
    print(f"flow {args.name}: version {args.version} published")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("flows", help="flow versions in the database (import, publish)")
    actions = parser.add_subparsers(dest="flows_action", required=True, metavar="ACTION")
    imp = actions.add_parser("import", help="store a flow file and its companions as a version")
    imp.add_argument("file", type=Path, nargs="?", default=None,
                     help="main flow file (default: the shipped town-hall flow)")
    imp.add_argument("--name", default=None,
                     help="flow name, checked against the file (default: the file's stem)")
    imp.add_argument("--author", default="import", help="author recorded with the version")
    imp.add_argument("--publish", action="store_true", help="publish it if its tests pass")
    imp.set_defaults(func=_import)
    actions.add_parser("list", help="list the stored versions").set_defaults(func=_list)
    pub = actions.add_parser("publish", help="publish a version (its tests must pass)")
    pub.add_argument("name")
    pub.add_argument("version", type=int)
    pub.set_defaults(func=_publish)
