"""Protecting precision when examples are added: the held-out set is scored with the intents
file before and after the change, and a change that lowers intent or slot accuracy is refused.

`check_precision(before_text, after_text, eval_set)` builds an understander from each version
of the intents YAML text, scores both on the labelled rows (`evalset`), and reports the
accuracies (0-1), the lines the change broke (right before, wrong after) and those it fixed.
`accepted` is False when fewer intents or fewer slot lines are right after than before.
Building and scoring take a few seconds for the town hall's set; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dialogs.nlu.evalset import EvalScore, EvalSet, RowResult, evaluate
from dialogs.nlu.intents import parse_intents_text
from dialogs.nlu.understander import FrenchUnderstander


@dataclass(frozen=True, slots=True)
class LineChange:
    """One held-out line whose outcome changed."""

    before: RowResult
    after: RowResult

    def describe(self) -> str:
        """What the line expects and what each version made of it, for people."""
        row = self.before.row
        where = f"line {row.line}: " if row.line else ""
        expected = row.intent if row.intent is not None else "null"
        text = (
            f"{where}{row.text!r} expects {expected}: "
            f"before {self.before.intent} ({self.before.confidence:.2f}), "
            f"after {self.after.intent} ({self.after.confidence:.2f})"
        )
        if self.before.slots_right is not None and self.before.slots_right != (
            self.after.slots_right
        ):
            text += f"; slots before {dict(self.before.slots)}, after {dict(self.after.slots)}"
        return text


@dataclass(frozen=True, slots=True)
class PrecisionReport:
    """How a change of the intents file does on the held-out set."""

    before: EvalScore
    after: EvalScore
    broken: tuple[LineChange, ...]
    """Lines right before (intent, or slots when scored) and wrong after."""
    fixed: tuple[LineChange, ...]
    """Lines wrong before and right after."""

    @property
    def lines_checked(self) -> int:
        """How many held-out lines were scored."""
        return self.before.lines

    @property
    def intents_dropped(self) -> bool:
        return self.after.intents_right < self.before.intents_right

    @property
    def slots_dropped(self) -> bool:
        return self.after.slots_right < self.before.slots_right

    @property
    def accepted(self) -> bool:
        """Whether the change may be published: neither accuracy dropped."""
        return not self.intents_dropped and not self.slots_dropped

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view for the back office and the CLI (accuracies 0-1)."""
        return {
            "accepted": self.accepted,
            "lines": self.lines_checked,
            "intent_accuracy": {
                "before": round(self.before.intent_accuracy, 4),
                "after": round(self.after.intent_accuracy, 4),
            },
            "slot_accuracy": {
                "before": round(self.before.slot_accuracy, 4),
                "after": round(self.after.slot_accuracy, 4),
            },
            "broken": [change.describe() for change in self.broken],
            "fixed": [change.describe() for change in self.fixed],
        }


def _right(result: RowResult) -> bool:
    return result.intent_right and result.slots_right is not False


def compare(before: EvalScore, after: EvalScore) -> PrecisionReport:
    """The report for two scores of the same rows."""
    pairs = list(zip(before.results, after.results, strict=True))
    broken = tuple(LineChange(b, a) for b, a in pairs if _right(b) and not _right(a))
    fixed = tuple(LineChange(b, a) for b, a in pairs if not _right(b) and _right(a))
    return PrecisionReport(before, after, broken, fixed)


def score_text(intents_text: str, eval_set: EvalSet, source: str = "<intents>") -> EvalScore:
    """The score of one version of the intents text on `eval_set`."""
    return evaluate(FrenchUnderstander(parse_intents_text(intents_text, source)), eval_set)


def check_precision(
    before_text: str, after_text: str, eval_set: EvalSet, *, baseline: EvalScore | None = None
) -> PrecisionReport:
    """Score `eval_set` with both versions of the intents text (IntentsFileError when one is
    not a valid intents file). `baseline`, when given, is the score of `before_text` on this
    set already computed (the published version's, kept by a service), and is not redone."""
    after = score_text(after_text, eval_set, "<after>")
    before = baseline if baseline is not None else score_text(before_text, eval_set, "<before>")
    return compare(before, after)
