"""`FrenchUnderstander`: intent and slots of a French caller's words, from an intents file.

The intent is the label whose example phrasings are nearest (see `classifier`), nudged by cue
phrases; the `out_of_scope` phrasings compete as one more label that means "not understood",
and so does any best score under the file's threshold. Slots are those the winning intent
declares, each looked for with its entity kind. Deterministic, pure Python, a few
milliseconds per utterance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from dialogs.nlu.classifier import ExampleIndex
from dialogs.nlu.entities import find_in_table
from dialogs.nlu.extractors import EXTRACTORS
from dialogs.nlu.intents import (
    IntentsModel,
    intents_path_of_flow,
    load_intents,
    parse_intents,
)
from dialogs.nlu.normalize import Token, tokenize
from dialogs.understanding import Understander, Understanding

OUT_OF_SCOPE = "\x00out_of_scope"
"""Label of the out-of-scope phrasings inside the index (never returned)."""
CUE_BOOST = 0.2
"""Added to the out-of-scope score when one of its cue phrases is said (cosine units)."""
EVIDENCE_BOOST = 0.1
"""Added to an intent's score for each of its evidence slots found (cosine units)."""
EVIDENCE_FLOOR = 0.15
"""Evidence counts only for an intent whose examples already resemble the utterance this much."""
OUTSIDE_CUE_FACTOR = 0.75
"""Scale of every intent's resemblance when an out-of-scope cue is said."""
UNKNOWN_WORDS_WEIGHT = 0.45
"""How much words unknown to every intent weaken the scores (0: not at all, 1: to zero)."""


def _contains(text: str, phrase: str) -> bool:
    return f" {phrase} " in f" {text} "


class FrenchUnderstander(Understander):
    """Understands French callers with the intents of one intents file.

    Nothing changes after it is built, so one instance can serve every call at once, from any
    thread; building takes about a tenth of a second, so build it once at start-up.
    """

    def __init__(self, model: IntentsModel) -> None:
        self._model = model
        self._intents = {intent.name: intent for intent in model.intents}
        examples = [
            (intent.name, [token.key for token in tokenize(example)])
            for intent in model.intents
            for example in intent.examples
        ]
        examples += [
            (OUT_OF_SCOPE, [token.key for token in tokenize(example)])
            for example in model.out_of_scope
        ]
        self._index = ExampleIndex(examples)

    @classmethod
    def from_file(cls, path: str | Path) -> FrenchUnderstander:
        """From an intents YAML file; IntentsFileError when it is missing or malformed."""
        return cls(load_intents(path))

    @classmethod
    def from_flow(cls, flow_path: str | Path) -> FrenchUnderstander:
        """From the intents file named by a flow file's `nlu` key."""
        return cls.from_file(intents_path_of_flow(flow_path))

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any], source: str = "<mapping>") -> FrenchUnderstander:
        """From an intents document already in memory (same layout as the file)."""
        return cls(parse_intents(dict(raw), source))

    @property
    def model(self) -> IntentsModel:
        """The intents this understander was built from."""
        return self._model

    def phrases(self, intents: Iterable[str], kinds: Iterable[str]) -> tuple[str, ...]:
        """The examples then the cues of `intents` (unknown ones skipped), then the synonyms
        of the entity tables `kinds`. Cues and synonyms are kept normalised (no accents)."""
        chosen = [self._intents[name] for name in dict.fromkeys(intents) if name in self._intents]
        out = [example for intent in chosen for example in intent.examples]
        out += [cue for intent in chosen for cue in intent.cues]
        for kind in dict.fromkeys(kinds):
            for synonyms in self._model.tables.get(kind, {}).values():
                out += synonyms
        return tuple(out)

    def slot_kinds(self, intents: Iterable[str]) -> tuple[str, ...]:
        kinds = [kind for name in intents if name in self._intents
                 for kind in self._intents[name].slots.values()]
        return tuple(dict.fromkeys(kinds))

    def scores(self, text: str, now: datetime) -> dict[str, float]:
        """Score of every intent (and of `OUT_OF_SCOPE`) for `text`, between 0 and 1."""
        return self._assess(text, now)[0]

    def _assess(
        self, text: str, now: datetime
    ) -> tuple[dict[str, float], set[str], set[str]]:
        """(scores, intents whose cues were said, intents whose evidence slots were all said)."""
        tokens = tokenize(text)
        keys = [token.key for token in tokens]
        if not keys:
            return {}, set(), set()
        raw = self._index.scores(keys)
        joined = " ".join(keys)
        # Words no in-scope example uses ("boulangerie", "dentiste") weaken every intent.
        known = self._index.known_share(keys, self._intents)
        factor = 1.0 - UNKNOWN_WORDS_WEIGHT * (1.0 - known)
        # An out-of-scope cue ("dentiste") names the topic: in-scope cues then say only how
        # the caller asks ("rendez-vous"), so they no longer count.
        outside_cue = any(_contains(joined, cue) for cue in self._model.out_of_scope_cues)
        if outside_cue:
            factor *= OUTSIDE_CUE_FACTOR
        found: dict[str, str | None] = {}
        scores: dict[str, float] = {}
        cued: set[str] = set()
        evidenced: set[str] = set()
        for intent in self._model.intents:
            base = raw.get(intent.name, 0.0) * factor
            score = base
            if not outside_cue and any(_contains(joined, cue) for cue in intent.cues):
                score += intent.cue_weight
                cued.add(intent.name)
            evidence = 0
            for slot in intent.evidence:
                kind = intent.slots[slot]
                if kind not in found:
                    found[kind] = self._extract(kind, tokens, now)
                if found[kind] is not None and base >= EVIDENCE_FLOOR:
                    score += EVIDENCE_BOOST
                    evidence += 1
            if intent.evidence and evidence == len(intent.evidence) and not outside_cue:
                evidenced.add(intent.name)
            scores[intent.name] = min(1.0, score)
        outside = raw.get(OUT_OF_SCOPE, 0.0) + (CUE_BOOST if outside_cue else 0.0)
        scores[OUT_OF_SCOPE] = min(1.0, outside)
        return scores, cued, evidenced

    def classify(self, text: str, now: datetime) -> tuple[str | None, float]:
        """(intent or None, confidence of the best in-scope candidate)."""
        scores, cued, evidenced = self._assess(text, now)
        in_scope = {label: score for label, score in scores.items() if label != OUT_OF_SCOPE}
        if not in_scope:
            return None, 0.0
        best = max(sorted(in_scope), key=lambda label: in_scope[label])
        # A cued intent that outranks the best one takes its place ("un rendez-vous pour mon
        # passeport" is an appointment, whatever the passport examples say).
        # So does one whose every evidence slot was said ("voir quelqu'un pour mon passeport
        # mardi à onze heures" is an appointment) over the intents it names for that. When
        # the best one was cued too and outranks it back, they cancel out: the score decides.
        outranked_back = self._intents[best].outranks if best in cued else ()
        rivals = [
            name
            for name in sorted(cued | evidenced)
            if in_scope[name] >= self._model.threshold
            and name not in outranked_back
            and (
                (name in cued and best in self._intents[name].outranks)
                or (name in evidenced and best in self._intents[name].evidence_outranks)
            )
        ]
        if rivals:
            best = max(rivals, key=lambda label: in_scope[label])
        confidence = round(in_scope[best], 4)
        if confidence < self._model.threshold or scores.get(OUT_OF_SCOPE, 0.0) > in_scope[best]:
            return None, confidence
        return best, confidence

    def understand(self, text: str, now: datetime) -> Understanding:
        if not isinstance(text, str):
            text = ""
        intent, confidence = self.classify(text, now)
        slots: dict[str, str] = {}
        if intent is not None:
            tokens = tokenize(text)
            for slot, kind in self._intents[intent].slots.items():
                value = self._extract(kind, tokens, now)
                if value is not None:
                    slots[slot] = value
        return Understanding(text=text, intent=intent, confidence=confidence, slots=slots)

    def extract(self, kind: str, text: str, now: datetime) -> str | None:
        if not isinstance(text, str):
            return None
        return self._extract(kind, tokenize(text), now)

    def _extract(self, kind: str, tokens: Sequence[Token], now: datetime) -> str | None:
        if not tokens:
            return None
        extractor = EXTRACTORS.get(kind)
        if extractor is not None:
            return extractor(tokens, now)
        table = self._model.tables.get(kind)
        if table is not None:
            return find_in_table([token.key for token in tokens], table)
        return None
