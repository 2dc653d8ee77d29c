"""Scoring helpers shared by the NLU tests: read an evaluation TSV, score an understander.

TSV lines: text, expected intent ("null" for out of scope), expected slots as JSON (optional;
each slot given is compared exactly). Lines starting with '#' are comments.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dialogs.understanding import Understander

ENTITY_SLOTS = ("date", "time", "phone")
"""Slots whose exactness the quality bar is about."""


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    intent: str | None
    slots: dict[str, str]


@dataclass(slots=True)
class Score:
    intents_right: int = 0
    lines: int = 0
    slots_right: int = 0
    slot_lines: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def intent_accuracy(self) -> float:
        return self.intents_right / self.lines if self.lines else 0.0

    @property
    def slot_accuracy(self) -> float:
        return self.slots_right / self.slot_lines if self.slot_lines else 1.0


def read_cases(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        intent = None if parts[1].strip() == "null" else parts[1].strip()
        slots = json.loads(parts[2]) if len(parts) > 2 and parts[2].strip() else {}
        cases.append(Case(parts[0], intent, slots))
    return cases


def score(understander: Understander, cases: list[Case], now: datetime) -> Score:
    result = Score()
    for case in cases:
        found = understander.understand(case.text, now)
        result.lines += 1
        wrong = []
        if found.intent == case.intent:
            result.intents_right += 1
        else:
            wrong.append(f"intent {found.intent} ({found.confidence:.2f}) != {case.intent}")
        wanted = {k: v for k, v in case.slots.items() if k in ENTITY_SLOTS}
        if wanted:
            result.slot_lines += 1
            got = {k: found.slots.get(k) for k in wanted}
            if got == wanted:
                result.slots_right += 1
            else:
                wrong.append(f"slots {got} != {wanted}")
        if wrong:
            result.misses.append(f"{case.text!r}: " + "; ".join(wrong))
    return result
