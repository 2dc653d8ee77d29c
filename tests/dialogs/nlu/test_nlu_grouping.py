"""Missed phrases grouped by similarity, with the real town hall understander's suggestion."""

from __future__ import annotations

from datetime import datetime

import pytest

from dialogs.nlu import FrenchUnderstander, MissedPhrase, group_phrases
from dialogs.nlu.grouping import MissedPhraseError, parse_missed

MISSED = [
    MissedPhrase("je voudrais un deuxième bac de tri", 0.22, 3),
    MissedPhrase("il me faudrait un autre bac de tri", 0.2),
    MissedPhrase("un bac de tri supplémentaire", 0.18, 2),
    MissedPhrase("des gens ont déposé des pneus dans le chemin", 0.22),
    MissedPhrase("quelqu'un a jeté des pneus dans le chemin", 0.2, 2),
    MissedPhrase("la salle des fêtes c'est combien à louer", 0.1, 4),
    MissedPhrase("combien coûte la location de la salle des fêtes", 0.12),
    MissedPhrase("je voudrais réserver la salle des fêtes", 0.2),
    MissedPhrase("Je voudrais un DEUXIÈME bac de tri", 0.3),  # same words: one member
    MissedPhrase("euh", 0.0, 5),  # a hesitation alone: nothing to learn
]


def _topics(groups: list) -> list[frozenset[str]]:
    return [frozenset(group.texts) for group in groups]


def test_paraphrases_together_unrelated_apart(
    mairie: FrenchUnderstander, monday: datetime
) -> None:
    groups = group_phrases(MISSED, mairie, monday)
    assert _topics(groups) == [
        {"je voudrais un deuxième bac de tri", "il me faudrait un autre bac de tri",
         "un bac de tri supplémentaire"},
        {"la salle des fêtes c'est combien à louer",
         "combien coûte la location de la salle des fêtes",
         "je voudrais réserver la salle des fêtes"},
        {"des gens ont déposé des pneus dans le chemin",
         "quelqu'un a jeté des pneus dans le chemin"},
    ]
    bins = groups[0]
    # Same normal form = one member whose counts add up; most said first.
    assert [m.count for m in bins.members] == [4, 2, 1]
    assert bins.count == 7 and bins.representative == "je voudrais un deuxième bac de tri"
    assert bins.members[0].confidence == pytest.approx((0.22 * 3 + 0.3) / 4)
    assert [group.count for group in groups] == [7, 6, 3]  # sorted by count
    # The model's suggestion: bins are waste, tyres in a lane are a report.
    assert bins.suggested_intent == "dechets"
    assert groups[2].suggested_intent == "signalement"
    assert 0.0 < groups[2].suggested_confidence <= 1.0
    record = bins.to_dict()
    assert record["count"] == 7 and record["members"][0]["count"] == 4


def test_grouping_is_deterministic_whatever_the_order(
    mairie: FrenchUnderstander, monday: datetime
) -> None:
    first = group_phrases(MISSED, mairie, monday)
    again = group_phrases(list(reversed(MISSED)), mairie, monday)
    assert _topics(first) == _topics(again)
    assert [g.count for g in first] == [g.count for g in again]
    assert group_phrases(MISSED, mairie, monday) == first


def test_threshold_decides_how_close(mairie: FrenchUnderstander, monday: datetime) -> None:
    strict = group_phrases(MISSED, mairie, monday, threshold=0.95)
    assert len(strict) == 8  # every distinct phrase alone
    assert group_phrases([], mairie, monday) == []
    with pytest.raises(MissedPhraseError):
        group_phrases(MISSED, mairie, monday, threshold=0.0)
    with pytest.raises(MissedPhraseError):
        group_phrases([MissedPhrase("bonjour", 0.1, 0)], mairie, monday)


def test_parse_missed_lines() -> None:
    text = (
        "# exported from the calls\n"
        "je voudrais un bac\n"
        "\n"
        "un autre bac\t0.25\n"
        "des pneus\t0.1\t4\n"
    )
    assert parse_missed(text) == [
        MissedPhrase("je voudrais un bac", 0.0, 1),
        MissedPhrase("un autre bac", 0.25, 1),
        MissedPhrase("des pneus", 0.1, 4),
    ]
    for bad in ("un bac\tbeaucoup\n", "un bac\t1.5\n", "un bac\t0.2\t0\n", "un bac\t0.2\tx\n"):
        with pytest.raises(MissedPhraseError, match=":1:"):
            parse_missed(bad)
