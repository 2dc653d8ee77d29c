"""One admin action of the learning loop: phrases assigned to an intent (or to out-of-scope)
become a proposed new version of the intents text, with the precision check already made.

`propose_examples(intents_text, target, phrases, eval_set)` is what a back office calls when
an admin assigns a group: the held-out lines are never added, and the proposal says whether
the new version may be published (`accepted`) and, if not, which held-out lines it broke.
The caller keeps the published version's score (`baseline`) to avoid scoring it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dialogs.nlu.evalset import EvalScore, EvalSet
from dialogs.nlu.learning import Addition, learn_examples
from dialogs.nlu.precision import PrecisionReport, check_precision


@dataclass(frozen=True, slots=True)
class Proposal:
    """A new version of the intents text and whether it keeps precision."""

    addition: Addition
    """The new text, the phrases added and those skipped (with the reason)."""
    precision: PrecisionReport | None
    """The held-out check of the new text; None when nothing was added."""

    @property
    def text(self) -> str:
        """The proposed intents YAML text."""
        return self.addition.text

    @property
    def accepted(self) -> bool:
        """Whether something was added and neither held-out accuracy dropped."""
        return self.precision is not None and self.precision.accepted

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (without the text itself)."""
        return {
            "target": self.addition.target,
            "added": list(self.addition.added),
            "skipped": [{"text": s.text, "reason": s.reason} for s in self.addition.skipped],
            "accepted": self.accepted,
            "precision": self.precision.to_dict() if self.precision is not None else None,
        }


def propose_examples(
    intents_text: str,
    target: str,
    phrases: Iterable[str],
    eval_set: EvalSet,
    *,
    baseline: EvalScore | None = None,
    source: str = "<intents>",
) -> Proposal:
    """Add `phrases` to `target` (an intent or `OUT_OF_SCOPE_TARGET`) and check the result
    on `eval_set`; errors as `learn_examples` (unknown intent, broken file)."""
    addition = learn_examples(
        intents_text, target, phrases, held_out=eval_set.held_out(), source=source
    )
    if not addition.added:
        return Proposal(addition, None)
    report = check_precision(intents_text, addition.text, eval_set, baseline=baseline)
    return Proposal(addition, report)
