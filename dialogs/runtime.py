"""Putting a flow to work: the default (town-hall) flow's path, and the French understander
named by a flow's `nlu:` file."""

from __future__ import annotations

import importlib
from pathlib import Path

from dialogs.errors import DialogsError
from dialogs.loader import LoadedFlow
from dialogs.understanding import Understander

FLOWS_DIR = Path(__file__).resolve().parent / "flows"
"""Sample flows shipped with the package."""


def default_flow_path() -> Path:
    """The town-hall flow shipped with the package (independent of the working directory)."""
    return FLOWS_DIR / "mairie.yaml"


def french_understander(loaded: LoadedFlow) -> Understander:
    """The French understander built from the flow's intents file."""
    if loaded.nlu_path is None:
        raise DialogsError(f"{loaded.path}: the flow names no 'nlu' intents file", "no_nlu")
    try:
        nlu = importlib.import_module("dialogs.nlu")
    except ImportError as err:
        raise DialogsError("French understanding (dialogs.nlu) is not installed", "no_nlu") from err
    understander = nlu.FrenchUnderstander.from_file(loaded.nlu_path)
    if not isinstance(understander, Understander):
        raise DialogsError("dialogs.nlu.FrenchUnderstander is not an Understander", "no_nlu")
    return understander
