"""French understanding for callers of a town hall: normalisation of Vosk text, intents
learnt from the example phrases of an intents file, and spoken entities (dates "YYYY-MM-DD",
times "HH:MM", phone numbers as digits, yes/no, numbers, addresses, names).

Entry point: `FrenchUnderstander.from_file(path)` (or `.from_flow(flow_path)`,
`.from_mapping(raw)`), an implementation of `dialogs.understanding.Understander`.

Learning from calls: `group_phrases` (missed phrases grouped by similarity, with the intent
the model leans to), `add_examples` / `add_out_of_scope` (a new version of the intents YAML
text), `check_precision` (the held-out set scored with both versions; a drop is refused),
and `propose_examples`, the three in one admin action.
"""

from __future__ import annotations

from dialogs.nlu.errors import IntentsFileError, NluError
from dialogs.nlu.evalset import EvalRow, EvalSet, eval_path_of_intents, load_eval_set
from dialogs.nlu.grouping import MissedPhrase, PhraseGroup, group_phrases
from dialogs.nlu.intents import IntentsModel, IntentSpec, intents_path_of_flow, load_intents
from dialogs.nlu.learning import LearningError, add_examples, add_out_of_scope, learn_examples
from dialogs.nlu.normalize import normalize, tokenize
from dialogs.nlu.precision import PrecisionReport, check_precision
from dialogs.nlu.proposal import Proposal, propose_examples
from dialogs.nlu.understander import FrenchUnderstander

__all__ = [
    "EvalRow",
    "EvalSet",
    "FrenchUnderstander",
    "IntentSpec",
    "IntentsFileError",
    "IntentsModel",
    "LearningError",
    "MissedPhrase",
    "NluError",
    "PhraseGroup",
    "PrecisionReport",
    "Proposal",
    "add_examples",
    "add_out_of_scope",
    "check_precision",
    "eval_path_of_intents",
    "group_phrases",
    "intents_path_of_flow",
    "learn_examples",
    "load_eval_set",
    "load_intents",
    "normalize",
    "propose_examples",
    "tokenize",
]
