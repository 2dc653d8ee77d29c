"""`ivr learn`: learning from what callers said that was not understood.

    python -m ivr learn groups --from FILE [--flow PATH | --intents PATH] [--threshold 0.3]
                               [--now ISO]
    python -m ivr learn add (--intent NAME | --out-of-scope) --phrases FILE
                            [--flow PATH] [--intents PATH] [--eval PATH] [--out PATH]

FILE holds missed phrases, one per line: `text`, `text<TAB>confidence` or
`text<TAB>confidence<TAB>count` ('#' lines and blank lines skipped). `groups` prints the
groups as a JSON list (see `PhraseGroup.to_dict`), most said first. `add` makes the new version
of the intents file (default: the one named by the flow) with the phrases as examples, scores
the held-out set (default: `NAME.nlu-eval.tsv` beside the intents file) with both versions,
plays the flow's conversation tests when the intents file is the flow's, and writes the new
file to `--out` (default: over the intents file) only when neither accuracy dropped and every
conversation passed; it prints a JSON report on stdout (`Proposal.to_dict` plus
`conversations_played`, `conversation_failures` and `written`). Exit codes: 0 written (or
nothing to add), 1 refused (the broken lines and conversations on stderr), 2 unusable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from dialogs.errors import DialogsError
from dialogs.nlu import FrenchUnderstander, NluError, intents_path_of_flow
from dialogs.nlu.evalset import eval_path_of_intents, load_eval_set
from dialogs.nlu.grouping import (
    DEFAULT_THRESHOLD,
    OUT_OF_SCOPE_TARGET,
    group_phrases,
    parse_missed,
)
from dialogs.nlu.intents import parse_intents_text
from dialogs.nlu.proposal import propose_examples
from dialogs.runtime import default_flow_path
from dialogs.scenarios import load_suite, run_suite, tests_file_for


def register(sub: Any) -> None:
    """Add the `learn` sub-command (with `groups` and `add`) to the `ivr` parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "learn", help="group missed caller phrases; add them as examples of an intent"
    )
    actions = parser.add_subparsers(dest="learn_command", required=True, metavar="ACTION")
    groups = actions.add_parser("groups", help="print missed phrases grouped by similarity")
    groups.add_argument("--from", dest="source", type=Path, required=True,
                        help="missed phrases: text[<TAB>confidence[<TAB>count]] per line")
    groups.add_argument("--flow", type=Path, default=None, help="flow whose intents suggest")
    groups.add_argument("--intents", type=Path, default=None,
                        help="intents file (default: the one named by the flow)")
    groups.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                        help="cosine (0-1) from which a phrase joins a group")
    groups.add_argument("--now", type=datetime.fromisoformat, default=None,
                        help="clock for the suggestions (ISO 8601, default: now)")
    groups.set_defaults(func=run_groups)
    add = actions.add_parser("add", help="add phrases as examples if precision holds")
    target = add.add_mutually_exclusive_group(required=True)
    target.add_argument("--intent", help="the intent the phrases mean")
    target.add_argument("--out-of-scope", action="store_true",
                        help="the phrases must not be understood (not handled, on purpose)")
    add.add_argument("--phrases", type=Path, required=True, help="phrases, one per line")
    add.add_argument("--flow", type=Path, default=None, help="flow (default: town hall)")
    add.add_argument("--intents", type=Path, default=None,
                     help="intents file (default: the one named by the flow)")
    add.add_argument("--eval", type=Path, default=None,
                     help="held-out set (default: NAME.nlu-eval.tsv beside the intents)")
    add.add_argument("--out", type=Path, default=None,
                     help="where to write the new intents file (default: over --intents)")
    add.set_defaults(func=run_add)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise NluError(f"{path}: cannot read: {err}", code="unreadable") from err


def run_groups(args: argparse.Namespace) -> int:
    try:
        intents = args.intents or intents_path_of_flow(args.flow or default_flow_path())
        understander = FrenchUnderstander.from_file(intents)
        phrases = parse_missed(_read(args.source), str(args.source))
        now = args.now or datetime.now()
        groups = group_phrases(phrases, understander, now, threshold=args.threshold)
    except NluError as err:
        print(f"ivr learn groups: {err}", file=sys.stderr)
        return 2
    json.dump([group.to_dict() for group in groups], sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _conversations(flow: Path, intents_text: str) -> list[str]:
    """Failures of the flow's conversation tests played with `intents_text`."""
    failures = []
    understander = FrenchUnderstander(parse_intents_text(intents_text, "<new intents>"))
    for path in tests_file_for(flow):
        if not path.exists():
            continue
        for outcome in run_suite(load_suite(path), lambda _loaded: understander):
            failures += [f"{outcome.name}: {failure}" for failure in outcome.failures]
    return failures


def run_add(args: argparse.Namespace) -> int:
    flow = (args.flow or default_flow_path()).resolve()
    try:
        flow_intents = intents_path_of_flow(flow)
        intents = (args.intents or flow_intents).resolve()
        before = _read(intents)
        eval_set = load_eval_set(args.eval or eval_path_of_intents(intents))
        phrases = [phrase.text for phrase in parse_missed(_read(args.phrases), str(args.phrases))]
        target = OUT_OF_SCOPE_TARGET if args.out_of_scope else args.intent
        proposal = propose_examples(before, target, phrases, eval_set, source=str(intents))
        failures: list[str] = []
        played = proposal.accepted and intents == flow_intents
        if played:
            failures = _conversations(flow, proposal.text)
    except (NluError, DialogsError) as err:
        print(f"ivr learn add: {err}", file=sys.stderr)
        return 2
    report = proposal.to_dict()
    report["conversations_played"] = played
    report["conversation_failures"] = failures
    nothing = proposal.precision is None
    accepted = proposal.accepted and not failures
    out = args.out or intents
    report["written"] = str(out) if accepted else None
    if accepted:
        out.write_text(proposal.text, encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if nothing or accepted:
        return 0
    print("ivr learn add: refused; what the new examples broke:", file=sys.stderr)
    broken = proposal.precision.broken if proposal.precision is not None else ()
    for line in [change.describe() for change in broken] + failures:
        print(f"  {line}", file=sys.stderr)
    return 1
