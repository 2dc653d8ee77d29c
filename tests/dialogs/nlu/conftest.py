"""Shared fixtures of the NLU tests: the real town hall understander, built once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dialogs.nlu import FrenchUnderstander

ROOT = Path(__file__).resolve().parents[3]
FLOW = ROOT / "dialogs" / "flows" / "mairie.yaml"
MONDAY = datetime(2026, 11, 23, 10, 0)
"""The clock of the evaluation sets: Monday 23 November 2026, 10:00."""


@pytest.fixture(scope="session")
def mairie() -> FrenchUnderstander:
    return FrenchUnderstander.from_flow(FLOW)


@pytest.fixture(scope="session")
def monday() -> datetime:
    return MONDAY
