"""Quality bar of the town hall's understanding: intents and date/time/phone slots on the
shared development set and on our own held-out evaluation set (never used for training)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dialogs.nlu import FrenchUnderstander
from tests.dialogs.nlu.nlu_scoring import read_cases, score

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
FLOW = ROOT / "dialogs" / "flows" / "mairie.yaml"
DEV_SET = ROOT.parent / "shared" / "eval" / "nlu-dev.tsv"  # CI: shared/ beside the clone
EVAL_SET = HERE / "nlu_eval.tsv"
NOW = datetime(2026, 11, 23, 10, 0)  # a Monday, the clock of both sets


@pytest.fixture(scope="module")
def understander() -> FrenchUnderstander:
    return FrenchUnderstander.from_flow(FLOW)


def _dev_set() -> Path:
    for candidate in (DEV_SET, Path("/work/shared/eval/nlu-dev.tsv")):
        if candidate.exists():
            return candidate
    pytest.skip("the shared development set (shared/eval/nlu-dev.tsv) is not beside the repo")


@pytest.mark.parametrize("which", ["dev", "eval"])
def test_quality_bar(understander: FrenchUnderstander, which: str) -> None:
    path = _dev_set() if which == "dev" else EVAL_SET
    cases = read_cases(path)
    assert len(cases) >= 40
    result = score(understander, cases, NOW)
    report = "\n".join(result.misses)
    assert result.intent_accuracy >= 0.90, f"intents {result.intent_accuracy:.3f}\n{report}"
    assert result.slot_accuracy >= 0.90, f"slots {result.slot_accuracy:.3f}\n{report}"
