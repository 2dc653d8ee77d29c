"""`ivr check-flow PATH`: validate a flow and its data files, list every problem.

Output: one line per problem, `FILE:LINE: [warning: ]node 'ID': field 'NAME': message`; exit
code 0 when the flow is usable (warnings allowed, unless `--strict`), 1 otherwise. A usable
flow then gets one line per listen step: the size of its recognition grammar (`grammar: node
'ID' [slot 'NAME'|confirmation]: N phrases[, M in the model's vocabulary]`) or `free text`;
the vocabulary is counted with `--model DIR` or the model of IVR_VOSK_MODEL.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from dialogs.errors import DialogsError
from dialogs.loader import LoadedFlow, check_flow, errors_of
from dialogs.phrases import CONFIRM, MAX_PHRASES, ListenStep, listen_steps, step_phrases
from dialogs.runtime import french_understander
from dialogs.understanding import Understander, Understanding
from speech.errors import SpeechError
from speech.settings import SpeechSettings
from speech.vosk_model import SpeechModel


def register(sub: Any) -> None:
    parser = sub.add_parser("check-flow", help="validate a dialogue flow and list its errors")
    parser.add_argument("path", type=Path, help="flow YAML file")
    parser.add_argument("--strict", action="store_true",
                        help="warnings (wording, keypad access) fail too")
    parser.add_argument("--model", type=Path, default=None,
                        help="Vosk model folder: count each step's phrases in its vocabulary "
                             "(default: IVR_VOSK_MODEL, if set)")
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
    return print_grammars(loaded, args.model or SpeechSettings.from_env().vosk_model)


class _NoIntents(Understander):
    """A flow without an intents file: no intent, no value (only the flow's own phrases)."""

    def understand(self, text: str, now: datetime) -> Understanding:
        return Understanding(text, None, 0.0)

    def extract(self, kind: str, text: str, now: datetime) -> str | None:
        return None


def print_grammars(loaded: LoadedFlow, model_dir: Path | None) -> int:
    """One line per listen step with its grammar size; 1 when the model cannot be loaded."""
    try:
        understander = french_understander(loaded) if loaded.nlu_path else _NoIntents()
    except DialogsError as err:
        print(f"grammar: not computed ({err})")
        return 1
    model = None
    if model_dir is not None:
        try:
            model = SpeechModel.load(model_dir)
        except SpeechError as err:
            print(f"grammar: the model cannot be loaded ({err})")
            return 1
        if not model.dynamic_grammar:
            print(f"grammar: the model in {model_dir} has a static graph: every step is "
                  "decoded with free speech")
            model = None
    for step in listen_steps(loaded):
        phrases = step_phrases(loaded, understander, step)
        where = f"grammar: node '{step.node}'" + _slot(step)
        if phrases.free_text:
            print(f"{where}: free text (free speech)")
            continue
        line = f"{where}: {len(phrases.phrases)} phrases"
        if phrases.truncated:
            line += f" ({phrases.truncated} more left out past {MAX_PHRASES})"
        if model is not None:
            line += f", {len(model.in_vocabulary(phrases.phrases))} in the model's vocabulary"
        print(line)
    return 0


def _slot(step: ListenStep) -> str:
    if step.slot is None:
        return ""
    return " confirmation" if step.slot == CONFIRM else f" slot '{step.slot}'"
