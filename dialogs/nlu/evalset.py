"""Labelled evaluation sets of an intents file, and how an understander scores on them.

A set is a UTF-8 TSV file beside the intents file (`mairie.intents.yaml` ->
`mairie.nlu-eval.tsv`), one line per caller utterance::

    # clock: 2026-11-23T10:00      <- required: relative dates of the set follow this clock
    text<TAB>intent<TAB>slots

`intent` is an intent name or `null` (must not be understood); `slots` is an optional JSON
object whose `date` ("YYYY-MM-DD"), `time` ("HH:MM") and `phone` (digits) entries are
compared exactly (other slots are kept but not scored). Lines starting with '#' and blank
lines are ignored. Its lines are held out: they must never become examples, so that the set
measures how well new phrasings are understood.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dialogs.nlu.errors import NluError
from dialogs.nlu.normalize import normalize
from dialogs.understanding import Understander

SCORED_SLOTS = ("date", "time", "phone")
"""Slots whose exactness is scored."""
_CLOCK_RE = re.compile(r"\bclock:?\s+(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)")


class EvalSetError(NluError):
    """An evaluation set is missing, unreadable or malformed (the message says which line)."""

    code = "eval_set_invalid"


@dataclass(frozen=True, slots=True)
class EvalRow:
    """One labelled utterance."""

    text: str
    """What the caller said."""
    intent: str | None
    """The intent it must get; None: it must not be understood."""
    slots: Mapping[str, str] = field(default_factory=dict)
    """Expected slots; only `SCORED_SLOTS` are compared."""
    line: int = 0
    """Line number in the file (1-based), 0 when built in memory."""

    @property
    def scored_slots(self) -> dict[str, str]:
        """The expected slots that are scored."""
        return {k: v for k, v in self.slots.items() if k in SCORED_SLOTS}


@dataclass(frozen=True, slots=True)
class EvalSet:
    """Labelled utterances and the clock they were labelled against."""

    rows: tuple[EvalRow, ...]
    """The lines, in file order."""
    clock: datetime
    """The caller's clock for every line (relative dates follow it)."""

    def held_out(self) -> frozenset[str]:
        """The normalised texts of the lines (what must never become an example)."""
        return frozenset(normalize(row.text) for row in self.rows)


@dataclass(frozen=True, slots=True)
class RowResult:
    """What an understander made of one row."""

    row: EvalRow
    intent: str | None
    """The intent found (None: not understood)."""
    confidence: float
    """Its confidence, 0-1."""
    slots: Mapping[str, str | None]
    """The scored slots found (None when absent), for the slots the row expects."""

    @property
    def intent_right(self) -> bool:
        return self.intent == self.row.intent

    @property
    def slots_right(self) -> bool | None:
        """Whether every scored slot is right; None when the row expects none."""
        wanted = self.row.scored_slots
        return dict(self.slots) == wanted if wanted else None

    def describe(self) -> str:
        """One line for people: the text, what was expected and what was found."""
        parts = []
        if not self.intent_right:
            parts.append(f"intent {self.intent} ({self.confidence:.2f}) != {self.row.intent}")
        if self.slots_right is False:
            parts.append(f"slots {dict(self.slots)} != {self.row.scored_slots}")
        where = f"line {self.row.line}: " if self.row.line else ""
        return f"{where}{self.row.text!r}: " + ("; ".join(parts) or "right")


@dataclass(frozen=True, slots=True)
class EvalScore:
    """The results of every row of a set."""

    results: tuple[RowResult, ...]

    @property
    def lines(self) -> int:
        return len(self.results)

    @property
    def intents_right(self) -> int:
        return sum(1 for result in self.results if result.intent_right)

    @property
    def slot_lines(self) -> int:
        return sum(1 for result in self.results if result.slots_right is not None)

    @property
    def slots_right(self) -> int:
        return sum(1 for result in self.results if result.slots_right)

    @property
    def intent_accuracy(self) -> float:
        """Share of lines with the right intent (0 for an empty set)."""
        return self.intents_right / self.lines if self.lines else 0.0

    @property
    def slot_accuracy(self) -> float:
        """Share of lines with scored slots that got all of them right (1 when none)."""
        return self.slots_right / self.slot_lines if self.slot_lines else 1.0

    @property
    def misses(self) -> list[str]:
        """A description of every line that is not entirely right."""
        return [
            result.describe()
            for result in self.results
            if not result.intent_right or result.slots_right is False
        ]


def _row(line: str, number: int, source: str) -> EvalRow:
    parts = line.split("\t")
    if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
        raise EvalSetError(f"{source}:{number}: expected text<TAB>intent[<TAB>slots JSON]")
    intent = None if parts[1].strip() == "null" else parts[1].strip()
    slots: dict[str, str] = {}
    if len(parts) > 2 and parts[2].strip():
        try:
            raw = json.loads(parts[2])
        except json.JSONDecodeError as err:
            raise EvalSetError(f"{source}:{number}: slots are not JSON: {err}") from err
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise EvalSetError(f"{source}:{number}: slots must be a JSON object of strings")
        slots = {str(k): v for k, v in raw.items()}
    return EvalRow(parts[0].strip(), intent, slots, number)


def parse_eval_set(text: str, source: str = "<eval set>") -> EvalSet:
    """An `EvalSet` from the TSV text; EvalSetError names the bad line."""
    rows: list[EvalRow] = []
    clock: datetime | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#"):
            match = _CLOCK_RE.search(line)
            if match is not None and clock is None:
                clock = datetime.fromisoformat(match.group(1))
            continue
        if line.strip():
            rows.append(_row(line, number, source))
    if clock is None:
        raise EvalSetError(f"{source}: no '# clock: YYYY-MM-DDTHH:MM' comment line")
    return EvalSet(tuple(rows), clock)


def load_eval_set(path: str | Path) -> EvalSet:
    """The evaluation set at `path`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise EvalSetError(f"{path}: cannot read: {err}") from err
    return parse_eval_set(text, str(path))


def eval_path_of_intents(intents_path: str | Path) -> Path:
    """Where the evaluation set of an intents file lives: `NAME.intents.yaml` ->
    `NAME.nlu-eval.tsv` in the same folder."""
    intents_path = Path(intents_path)
    stem = intents_path.name.removesuffix(".yaml").removesuffix(".yml")
    stem = stem.removesuffix(".intents")
    return intents_path.with_name(f"{stem}.nlu-eval.tsv")


def evaluate(understander: Understander, eval_set: EvalSet) -> EvalScore:
    """Score `understander` on every row of `eval_set`, at the set's clock."""
    results = []
    for row in eval_set.rows:
        found = understander.understand(row.text, eval_set.clock)
        slots = {name: found.slots.get(name) for name in row.scored_slots}
        results.append(RowResult(row, found.intent, found.confidence, slots))
    return EvalScore(tuple(results))
