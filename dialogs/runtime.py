"""Putting a flow to work: the default (town-hall) flow's path, and the French understander
named by a flow's `nlu:` file."""

from __future__ import annotations

from pathlib import Path

from dialogs.errors import DialogsError
from dialogs.loader import LoadedFlow
from dialogs.nlu import FrenchUnderstander, NluError
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
        return FrenchUnderstander.from_file(loaded.nlu_path)
    except NluError as err:
        raise DialogsError(f"{loaded.nlu_path}: {err}", err.code) from err
