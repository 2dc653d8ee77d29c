"""Loading intents files: a good one builds an understander, a bad one gets a clear error."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from dialogs.nlu import FrenchUnderstander, IntentsFileError, NluError, load_intents

SMALL: dict[str, Any] = {
    "threshold": 0.3,
    "entities": {"fruit": {"pomme": ["pommes", "golden"], "poire": ["poires"]}},
    "intents": {
        "acheter": {
            "slots": {"fruit": "fruit", "quand": "date"},
            "evidence": ["fruit"],
            "cues": ["acheter"],
            "examples": ["je voudrais acheter des pommes", "je prends des poires", "un kilo"],
        },
        "payer": {"examples": ["je paie par carte", "je règle en espèces", "l'addition"]},
    },
    "out_of_scope": {"cues": ["météo"], "examples": ["quel temps fait-il", "la météo"]},
}


def test_from_mapping_understands_with_its_own_intents(monday: datetime) -> None:
    understander = FrenchUnderstander.from_mapping(SMALL)
    result = understander.understand("je voudrais acheter des golden demain", monday)
    assert result.intent == "acheter"
    assert dict(result.slots) == {"fruit": "pomme", "quand": "2026-11-24"}
    assert understander.understand("je règle par carte", monday).intent == "payer"
    assert understander.understand("la météo de demain", monday).intent is None
    assert understander.understand("", monday).intent is None


def test_a_cued_intent_outranks_the_topic(monday: datetime) -> None:
    document: dict[str, Any] = {
        "intents": {
            "commande": {
                "cues": ["commander"],
                "cue_weight": 0.05,
                "examples": ["je voudrais commander", "commander"],
            },
            "fruits": {
                "examples": ["des pommes bien mûres", "des pommes de saison", "les pommes"]
            },
        }
    }
    text = "commander des pommes bien mûres"
    assert FrenchUnderstander.from_mapping(document).understand(text, monday).intent == "fruits"
    document["intents"]["commande"]["outranks"] = ["fruits"]
    assert FrenchUnderstander.from_mapping(document).understand(text, monday).intent == "commande"


def test_every_evidence_slot_said_outranks_the_topic(monday: datetime) -> None:
    document: dict[str, Any] = {
        "intents": {
            "reserver": {
                "slots": {"jour": "date", "heure": "time"},
                "evidence": ["jour", "heure"],
                "examples": ["je passe les prendre", "je voudrais réserver", "réserver"],
            },
            "fruits": {
                "examples": ["des pommes bien mûres", "des pommes de saison", "les pommes"]
            },
        }
    }
    both = "des pommes bien mûres je passe jeudi à dix heures"
    one = "des pommes bien mûres je passe jeudi"
    plain = FrenchUnderstander.from_mapping(document)
    assert plain.understand(both, monday).intent == "fruits"
    document["intents"]["reserver"]["evidence_outranks"] = ["fruits"]
    ranked = FrenchUnderstander.from_mapping(document)
    result = ranked.understand(both, monday)
    assert result.intent == "reserver"
    assert dict(result.slots) == {"jour": "2026-11-26", "heure": "10:00"}
    assert ranked.understand(one, monday).intent == "fruits"  # a day alone is not enough


def test_from_file_and_from_flow(tmp_path: Path, monday: datetime) -> None:
    intents = tmp_path / "shop.intents.yaml"
    intents.write_text(
        "intents:\n  payer:\n    examples: [je paie par carte, l'addition s'il vous plaît]\n",
        encoding="utf-8",
    )
    flow = tmp_path / "shop.yaml"
    flow.write_text("nlu: shop.intents.yaml\n", encoding="utf-8")
    assert FrenchUnderstander.from_file(intents).understand("l'addition", monday).intent == "payer"
    assert FrenchUnderstander.from_flow(flow).understand("l'addition", monday).intent == "payer"
    assert load_intents(intents).threshold == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"intents": ["a", "b"]}, "non-empty mapping"),
        ({}, "intents"),
        ({"intents": {}}, "non-empty"),
        ({"intents": {"a b": {"examples": ["x"]}}}, "identifier"),
        ({"intents": {"a": {"examples": []}}}, "at least one example"),
        ({"intents": {"a": {"examples": "pas une liste"}}}, "list of strings"),
        ({"intents": {"a": {"examples": ["x"], "slots": {"s": "couleur"}}}}, "unknown kind"),
        ({"intents": {"a": {"examples": ["x"], "evidence": ["date"]}}}, "not one of its slots"),
        ({"intents": {"a": {"examples": ["x"], "exemples": ["y"]}}}, "unknown keys"),
        ({"intents": {"a": {"examples": ["x"], "outranks": ["b"]}}}, "no such intent"),
        ({"intents": {"a": {"examples": ["x"], "outranks": ["a"]}}}, "no such intent"),
        ({"intents": {"a": {"examples": ["x"], "evidence_outranks": ["b"]}}}, "needs 'evidence'"),
        (
            {"intents": {"a": {"examples": ["x"], "slots": {"d": "date"}, "evidence": ["d"],
                               "evidence_outranks": ["z"]}}},
            "no such intent",
        ),
        ({"intents": {"a": {"examples": ["x"], "cue_weight": -1}}}, "between 0 and 1"),
        ({"threshold": 2, "intents": {"a": {"examples": ["x"]}}}, "between 0 and 1"),
        ({"threshold": "haut", "intents": {"a": {"examples": ["x"]}}}, "between 0 and 1"),
        ({"entities": {"date": {"x": ["y"]}}, "intents": {"a": {"examples": ["x"]}}}, "built-in"),
        ({"entities": {"f": []}, "intents": {"a": {"examples": ["x"]}}}, "value -> synonyms"),
        ({"out_of_scope": {"exemples": []}, "intents": {"a": {"examples": ["x"]}}}, "unknown"),
        ({"intentions": {}, "intents": {"a": {"examples": ["x"]}}}, "unknown keys"),
    ],
)
def test_malformed_documents_are_rejected(document: Any, message: str) -> None:
    with pytest.raises(IntentsFileError, match=message) as caught:
        FrenchUnderstander.from_mapping(document)
    assert caught.value.code == "intents_file_invalid"
    assert isinstance(caught.value, NluError)


def test_unreadable_or_broken_files(tmp_path: Path) -> None:
    with pytest.raises(IntentsFileError, match="cannot read"):
        FrenchUnderstander.from_file(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("intents: [unclosed\n", encoding="utf-8")
    with pytest.raises(IntentsFileError, match="not valid YAML"):
        FrenchUnderstander.from_file(broken)
    flow = tmp_path / "flow.yaml"
    flow.write_text("steps: []\n", encoding="utf-8")
    with pytest.raises(IntentsFileError, match="'nlu' key"):
        FrenchUnderstander.from_flow(flow)
    listing = tmp_path / "list.yaml"
    listing.write_text("- horaires\n- agent\n", encoding="utf-8")
    with pytest.raises(IntentsFileError, match="expected a mapping"):
        FrenchUnderstander.from_file(listing)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(IntentsFileError):
        FrenchUnderstander.from_file(binary)
