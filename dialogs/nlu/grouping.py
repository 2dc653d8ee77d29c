"""What callers said that was not understood, grouped by similarity for the back office.

Phrases are normalised like utterances (case, accents, elisions, fillers do not matter; equal
normal forms are one phrase whose counts add up), turned into TF-IDF vectors with the intent
scoring's features (`classifier.tfidf_vectors`, IDF over the phrases and the understander's
examples, so that words every request uses weigh little), then clustered around centroids:
phrases are taken most frequent first, each joins the group whose centroid it is nearest to
when that cosine reaches `threshold` (0-1), else starts a group (an inverted index of the
groups' summed vectors keeps this fast). Suggestions cost one scoring per distinct phrase.
Each group carries the intent the current understander would guess for it (a suggestion for
the admin, with its mean score 0-1). Pure and deterministic: same input, same groups.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dialogs.nlu.classifier import cosine, tfidf_vectors
from dialogs.nlu.errors import NluError
from dialogs.nlu.normalize import tokenize
from dialogs.nlu.understander import OUT_OF_SCOPE, FrenchUnderstander

DEFAULT_THRESHOLD = 0.3
"""Cosine (0-1) to a group's centroid from which a phrase joins the group."""
OUT_OF_SCOPE_TARGET = "out_of_scope"
"""The name a suggestion (and an admin's choice) uses for "not handled, on purpose"."""


class MissedPhraseError(NluError):
    """A list of missed phrases is malformed (the message says which line)."""

    code = "missed_phrases_invalid"


@dataclass(frozen=True, slots=True)
class MissedPhrase:
    """Something a caller said that was not understood, or understood with low confidence."""

    text: str
    """What the recogniser heard."""
    confidence: float = 0.0
    """The understander's confidence in its best intent, 0-1 (0 when unknown)."""
    count: int = 1
    """How many times it was said."""


@dataclass(frozen=True, slots=True)
class PhraseGroup:
    """Phrases that say the same thing, for one admin decision."""

    representative: str
    """The member that stands for the group (the most said, then the most central)."""
    members: tuple[MissedPhrase, ...]
    """Its phrases (one per normal form, counts added up), most said first."""
    count: int
    """How many times its phrases were said in all."""
    suggested_intent: str | None
    """The intent the current understander leans to, `OUT_OF_SCOPE_TARGET` when it takes the
    group for a request the town hall does not handle, None when nothing resembles it."""
    suggested_confidence: float = 0.0
    """That intent's mean score over the members, weighted by count (0-1)."""
    mean_confidence: float = 0.0
    """The members' own confidences when missed, weighted by count (0-1)."""

    @property
    def texts(self) -> tuple[str, ...]:
        """The members' texts, in `members` order (what `add_examples` takes)."""
        return tuple(member.text for member in self.members)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view for the back office and the CLI."""
        return {
            "representative": self.representative,
            "count": self.count,
            "suggested_intent": self.suggested_intent,
            "suggested_confidence": round(self.suggested_confidence, 4),
            "mean_confidence": round(self.mean_confidence, 4),
            "members": [
                {"text": m.text, "count": m.count, "confidence": round(m.confidence, 4)}
                for m in self.members
            ],
        }


def _merged(phrases: Iterable[MissedPhrase]) -> dict[str, MissedPhrase]:
    """Normal form -> one phrase (the wording said most, counts added, confidences averaged
    by count); the input order does not matter."""
    wordings: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[str, int] = defaultdict(int)
    confidence_sums: dict[str, float] = defaultdict(float)
    for phrase in phrases:
        if not isinstance(phrase.text, str) or phrase.count < 1:
            raise MissedPhraseError(f"not a phrase said at least once: {phrase!r}")
        key = " ".join(token.key for token in tokenize(phrase.text))
        if not key:
            continue  # hesitations only ("euh"): nothing to learn
        wordings[key][" ".join(phrase.text.split())] += phrase.count
        counts[key] += phrase.count
        confidence_sums[key] += min(1.0, max(0.0, phrase.confidence)) * phrase.count
    texts = {
        key: min(said, key=lambda text: (-said[text], text)) for key, said in wordings.items()
    }
    return {
        key: MissedPhrase(texts[key], confidence_sums[key] / counts[key], counts[key])
        for key in texts
    }


def _suggestion(
    understander: FrenchUnderstander, members: Sequence[MissedPhrase], now: datetime
) -> tuple[str | None, float]:
    totals: dict[str, float] = defaultdict(float)
    weight = sum(member.count for member in members)
    for member in members:
        for label, score in understander.scores(member.text, now).items():
            totals[label] += score * member.count
    if not totals or max(totals.values()) <= 0.0:
        return None, 0.0
    best = max(sorted(totals), key=lambda label: totals[label])
    name = OUT_OF_SCOPE_TARGET if best == OUT_OF_SCOPE else best
    return name, totals[best] / weight


def _sum(vectors: Iterable[Mapping[str, float]]) -> dict[str, float]:
    total: dict[str, float] = defaultdict(float)
    for vector in vectors:
        for feature, value in vector.items():
            total[feature] += value
    return total


def _cluster(
    keys: Sequence[str], vectors: Mapping[str, Mapping[str, float]], threshold: float
) -> list[list[str]]:
    """Centroid clustering in `keys` order. Each group keeps the sum of its members' vectors
    in an inverted index (feature -> group -> value) and its squared norm, so a phrase's
    cosine to every centroid costs only the features it has."""
    postings: dict[str, dict[int, float]] = defaultdict(dict)
    norms: list[float] = []  # squared norm of each group's sum
    clusters: list[list[str]] = []
    for key in keys:
        vector = vectors[key]
        dots: dict[int, float] = defaultdict(float)
        for feature, value in vector.items():
            for group, summed in postings.get(feature, {}).items():
                dots[group] += value * summed
        best = max(sorted(dots), key=lambda g: dots[g] / norms[g] ** 0.5, default=-1)
        if best >= 0 and norms[best] > 0 and dots[best] / norms[best] ** 0.5 >= threshold:
            norms[best] += 2 * dots[best] + 1.0  # |s + v|^2 with |v| = 1
            clusters[best].append(key)
            group = best
        else:
            group = len(clusters)
            norms.append(1.0 if vector else 0.0)
            clusters.append([key])
        for feature, value in vector.items():
            postings[feature][group] = postings[feature].get(group, 0.0) + value
    return clusters


def _unit(vector: Mapping[str, float]) -> dict[str, float]:
    norm = sum(value * value for value in vector.values()) ** 0.5
    return {f: v / norm for f, v in vector.items()} if norm else {}


def group_phrases(
    phrases: Sequence[MissedPhrase],
    understander: FrenchUnderstander,
    now: datetime,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[PhraseGroup]:
    """Groups of similar phrases, most said first (ties: by representative text). `now` is the
    clock the suggestions are scored at (dates and times in a phrase hint at appointments)."""
    if not 0.0 < threshold <= 1.0:
        raise MissedPhraseError(f"threshold must be in (0, 1], not {threshold!r}")
    merged = _merged(phrases)
    keys = sorted(merged, key=lambda key: (-merged[key].count, key))
    model = understander.model
    background = [
        [token.key for token in tokenize(example)]
        for example in (*model.out_of_scope, *(e for i in model.intents for e in i.examples))
    ]
    found = tfidf_vectors([key.split() for key in keys], background)
    vectors = dict(zip(keys, found, strict=True))
    clusters = _cluster(keys, vectors, threshold)
    groups = []
    for members_keys in clusters:
        centroid = _unit(_sum(vectors[key] for key in members_keys))
        ordered = sorted(
            members_keys,
            key=lambda key: (-merged[key].count, -cosine(vectors[key], centroid), key),
        )
        members = tuple(merged[key] for key in ordered)
        count = sum(member.count for member in members)
        mean = sum(member.confidence * member.count for member in members) / count
        intent, score = _suggestion(understander, members, now)
        groups.append(
            PhraseGroup(members[0].text, members, count, intent, score, mean)
        )
    groups.sort(key=lambda group: (-group.count, group.representative))
    return groups


def parse_missed(text: str, source: str = "<phrases>") -> list[MissedPhrase]:
    """Missed phrases from text: one per line, `text`, `text<TAB>confidence` or
    `text<TAB>confidence<TAB>count`; blank lines and lines starting with '#' are skipped."""
    phrases = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        try:
            confidence = float(parts[1]) if len(parts) > 1 and parts[1].strip() else 0.0
            count = int(parts[2]) if len(parts) > 2 and parts[2].strip() else 1
        except ValueError as err:
            raise MissedPhraseError(f"{source}:{number}: bad confidence or count: {err}") from err
        if not 0.0 <= confidence <= 1.0 or count < 1:
            raise MissedPhraseError(
                f"{source}:{number}: confidence must be within 0-1 and count at least 1"
            )
        if parts[0].strip():
            phrases.append(MissedPhrase(parts[0].strip(), confidence, count))
    return phrases
