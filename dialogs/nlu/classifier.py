"""Intent scoring learnt from example phrases: TF-IDF over words, word pairs and character
n-grams; a label's score blends the cosine to its nearest examples with the cosine to its
centroid.

Pure Python on sparse dict vectors with inverted indexes: building from a thousand examples
takes about a tenth of a second, scoring an utterance about a millisecond; the same input
always gives the same scores. Scores are between 0 and 1.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

STOPWORDS = frozenset(
    """je j tu il elle on nous vous ils elles le la les l un une des de du d a au aux et ou
    que qu qui quoi est ce c ca cette ces cet mon ma mes ton ta tes son sa ses notre nos votre
    vos leur leurs en y ne n pour par sur dans avec me m te t se s moi toi lui suis ai as avez
    avons ont sont bonjour voudrais veux voulais voudrait souhaite souhaiterais aimerais
    plait svp madame monsieur alors bon donc oui voila comment faut faire fait peux peut
    pouvez si tout tous aussi bien tres""".split()  # noqa: SIM905 - a word list reads better
)
"""Function words: kept as features but weighted down, and left out of character n-grams."""

# Feature weights (before IDF): a function word, a word pair, one character n-gram.
_STOP_WEIGHT = 0.25
_BIGRAM_WEIGHT = 0.8
_CHAR_WEIGHT = 0.35
_CHAR_SIZES = (3, 4, 5)
# A label's score: (1 - CENTROID_WEIGHT) x nearest-examples score + CENTROID_WEIGHT x centroid
# cosine, where the nearest-examples score is _NEAREST_WEIGHT x the best cosine plus the rest
# x the mean of the _NEIGHBOURS best (missing ones count 0, so one lucky example is not enough).
_NEIGHBOURS = 3
_NEAREST_WEIGHT = 0.7
CENTROID_WEIGHT = 0.2


def is_content(key: str) -> bool:
    """Whether a word carries meaning of its own (not a function word, not a number)."""
    return len(key) >= 3 and key not in STOPWORDS and not key.isdigit()


def stem(key: str) -> str:
    """A crude French stem: the first five letters ("declarer", "declaration" -> "decla")."""
    return key[:5]


def _raw_features(keys: Sequence[str]) -> dict[str, float]:
    features: dict[str, float] = defaultdict(float)
    for key in keys:
        features["w:" + key] += _STOP_WEIGHT if key in STOPWORDS else 1.0
        if key in STOPWORDS or len(key) < 3:
            continue
        padded = f"#{key}#"
        for size in _CHAR_SIZES:
            for start in range(len(padded) - size + 1):
                features["c:" + padded[start : start + size]] += _CHAR_WEIGHT
    for first, second in itertools.pairwise(keys):
        weight = _BIGRAM_WEIGHT * (0.4 if first in STOPWORDS and second in STOPWORDS else 1.0)
        features[f"b:{first}_{second}"] += weight
    return features


def _normalised(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(value * value for value in vector.values()))
    if norm == 0.0:
        return {}
    return {feature: value / norm for feature, value in vector.items()}


def inverse_document_frequency(documents: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Smoothed IDF of every feature of `documents` (raw feature bags): ln((1+N)/(1+df)) + 1."""
    document_frequency: dict[str, int] = defaultdict(int)
    for features in documents:
        for feature in features:
            document_frequency[feature] += 1
    count = len(documents)
    return {
        feature: math.log((1 + count) / (1 + df)) + 1.0
        for feature, df in document_frequency.items()
    }


def weigh(features: Mapping[str, float], idf: Mapping[str, float]) -> dict[str, float]:
    """The unit-length TF-IDF vector of a raw feature bag (features unknown to `idf` dropped)."""
    weighted = {
        feature: (1.0 + math.log(value) if value > 1.0 else value) * idf[feature]
        for feature, value in features.items()
        if feature in idf
    }
    return _normalised(weighted)


def tfidf_vectors(
    documents: Sequence[Sequence[str]], background: Sequence[Sequence[str]] = ()
) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors of token-key lists, with the same features as the intent
    scoring (words, word pairs, character n-grams) and the IDF of these documents plus the
    `background` ones (so that words common in French requests weigh little)."""
    raw = [_raw_features(keys) for keys in documents]
    idf = inverse_document_frequency(raw + [_raw_features(keys) for keys in background])
    return [weigh(features, idf) for features in raw]


def cosine(first: Mapping[str, float], second: Mapping[str, float]) -> float:
    """Dot product of two unit-length sparse vectors."""
    if len(second) < len(first):
        first, second = second, first
    return sum(value * second.get(feature, 0.0) for feature, value in first.items())


@dataclass(frozen=True, slots=True)
class _Example:
    label: str
    vector: Mapping[str, float]


class ExampleIndex:
    """Labelled example phrases (as token keys), scored against an utterance."""

    def __init__(self, examples: Iterable[tuple[str, Sequence[str]]]) -> None:
        examples = list(examples)
        self._stems: dict[str, set[str]] = defaultdict(set)
        for label, keys in examples:
            self._stems[label].update(stem(key) for key in keys if is_content(key))
        raw = [(label, _raw_features(keys)) for label, keys in examples]
        self._idf = inverse_document_frequency([features for _, features in raw])
        self._examples: list[_Example] = []
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for label, features in raw:
            vector = self._weigh(features)
            index = len(self._examples)
            self._examples.append(_Example(label, vector))
            for feature, value in vector.items():
                self._postings[feature].append((index, value))
        self._labels = sorted({example.label for example in self._examples})
        # Each label's centroid (the normalised mean of its examples' vectors), kept per
        # feature like the examples so that scoring touches only the features said.
        sums: dict[str, dict[str, float]] = {label: defaultdict(float) for label in self._labels}
        for example in self._examples:
            for feature, value in example.vector.items():
                sums[example.label][feature] += value
        self._centroids: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for label, vector in sums.items():
            for feature, value in _normalised(dict(vector)).items():
                self._centroids[feature].append((label, value))

    @property
    def labels(self) -> list[str]:
        """Every label with at least one example, sorted."""
        return list(self._labels)

    def known_share(self, keys: Sequence[str], labels: Iterable[str]) -> float:
        """Share of the content words of `keys` that the examples of `labels` use (by stem);
        1.0 when there is no content word."""
        content = [stem(key) for key in keys if is_content(key)]
        if not content:
            return 1.0
        known: set[str] = set()
        for label in labels:
            known |= self._stems.get(label, set())
        return sum(1 for word in content if word in known) / len(content)

    def _weigh(self, features: Mapping[str, float]) -> dict[str, float]:
        return weigh(features, self._idf)

    def scores(self, keys: Sequence[str]) -> dict[str, float]:
        """Per label: mean cosine of the utterance to its `_NEIGHBOURS` nearest examples,
        blended with the single nearest one (0 for labels nothing resembles)."""
        query = self._weigh(_raw_features(keys))
        similarity: dict[int, float] = defaultdict(float)
        for feature, value in query.items():
            for index, weight in self._postings.get(feature, ()):
                similarity[index] += value * weight
        central: dict[str, float] = defaultdict(float)
        for feature, value in query.items():
            for label, weight in self._centroids.get(feature, ()):
                central[label] += value * weight
        per_label: dict[str, list[float]] = defaultdict(list)
        for index, cosine in similarity.items():
            per_label[self._examples[index].label].append(cosine)
        result = dict.fromkeys(self._labels, 0.0)
        for label, cosines in per_label.items():
            cosines.sort(reverse=True)
            nearest = cosines[:_NEIGHBOURS]
            mean = sum(nearest) / _NEIGHBOURS
            knn = _NEAREST_WEIGHT * nearest[0] + (1 - _NEAREST_WEIGHT) * mean
            blended = (1 - CENTROID_WEIGHT) * knn + CENTROID_WEIGHT * central[label]
            result[label] = min(1.0, blended)
        return result
