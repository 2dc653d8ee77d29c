"""French understanding for callers of a town hall: normalisation of Vosk text, intents
learnt from the example phrases of an intents file, and spoken entities (dates "YYYY-MM-DD",
times "HH:MM", phone numbers as digits, yes/no, numbers, addresses, names).

Entry point: `FrenchUnderstander.from_file(path)` (or `.from_flow(flow_path)`,
`.from_mapping(raw)`), an implementation of `dialogs.understanding.Understander`.
"""

from __future__ import annotations

from dialogs.nlu.errors import IntentsFileError, NluError
from dialogs.nlu.intents import IntentsModel, IntentSpec, intents_path_of_flow, load_intents
from dialogs.nlu.normalize import normalize, tokenize
from dialogs.nlu.understander import FrenchUnderstander

__all__ = [
    "FrenchUnderstander",
    "IntentSpec",
    "IntentsFileError",
    "IntentsModel",
    "NluError",
    "intents_path_of_flow",
    "load_intents",
    "normalize",
    "tokenize",
]
