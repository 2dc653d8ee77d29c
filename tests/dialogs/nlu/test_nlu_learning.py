"""The learning loop on the real town hall intents: missed phrases become examples in a new
version of the intents text, the held-out set guards precision."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.nlu import (
    FrenchUnderstander,
    IntentsFileError,
    LearningError,
    MissedPhrase,
    add_examples,
    add_out_of_scope,
    check_precision,
    group_phrases,
    learn_examples,
    load_eval_set,
    propose_examples,
)
from dialogs.nlu.evalset import EvalScore
from dialogs.nlu.grouping import OUT_OF_SCOPE_TARGET
from dialogs.nlu.intents import parse_intents_text
from dialogs.nlu.precision import score_text

FLOWS = Path(__file__).resolve().parents[3] / "dialogs" / "flows"
INTENTS = (FLOWS / "mairie.intents.yaml").read_text(encoding="utf-8")
EVAL_SET = load_eval_set(FLOWS / "mairie.nlu-eval.tsv")

MISSED_BINS = [
    MissedPhrase("il me faudrait un autre bac de tri", 0.32, 2),
    MissedPhrase("un bac de tri supplémentaire", 0.24),
    MissedPhrase("je veux un second bac pour le tri", 0.27),
    MissedPhrase("on voudrait un deuxième bac de tri", 0.22, 3),
]
NEW_BIN_REQUESTS = [  # never added: said by later callers
    "il me faut un bac de tri supplémentaire pour ma famille",
    "est-ce que je peux avoir un deuxième bac de tri",
    "un second bac de tri c'est possible",
]
HOURS_LIKE = [  # town-hall hours questions, wrongly given to the school intent
    "vous fermez à quelle heure s'il vous plaît",
    "c'est ouvert le samedi matin",
    "à quelle heure ferme l'accueil",
    "vos horaires s'il vous plaît",
    "vous êtes ouverts en ce moment",
    "vous ouvrez à quelle heure demain",
    "c'est quoi vos horaires d'ouverture",
    "la mairie est ouverte le lundi",
]


def _understander(text: str) -> FrenchUnderstander:
    return FrenchUnderstander(parse_intents_text(text))


@pytest.fixture(scope="module")
def baseline() -> EvalScore:
    """The shipped intents' score on the held-out set (computed once)."""
    return score_text(INTENTS, EVAL_SET)


def test_a_group_of_missed_phrases_teaches_a_new_phrasing(
    mairie: FrenchUnderstander, monday: datetime, baseline: EvalScore
) -> None:
    [group] = group_phrases(MISSED_BINS, mairie, monday)
    assert group.suggested_intent == "dechets"
    for text in NEW_BIN_REQUESTS:
        assert mairie.understand(text, monday).intent != "dechets", text
    after_text = add_examples(INTENTS, "dechets", group.texts)
    after = _understander(after_text)
    for text in NEW_BIN_REQUESTS:
        assert after.understand(text, monday).intent == "dechets", text
    report = check_precision(INTENTS, after_text, EVAL_SET, baseline=baseline)
    assert report.accepted, report.to_dict()
    assert report.after.intent_accuracy >= report.before.intent_accuracy
    assert report.lines_checked == len(EVAL_SET.rows)


def test_phrases_that_steal_another_intents_lines_are_refused(baseline: EvalScore) -> None:
    proposal = propose_examples(INTENTS, "ecole", HOURS_LIKE, EVAL_SET, baseline=baseline)
    assert not proposal.accepted
    report = proposal.precision
    assert report is not None and not report.accepted and report.intents_dropped
    assert report.broken, "the refusal names the lines that broke"
    broken = proposal.to_dict()["precision"]["broken"]
    assert all("expects horaires" in line and "after ecole" in line for line in broken)
    # A held-out line is never added, even when an admin assigns it.
    held_out = [row.text for row in EVAL_SET.rows if row.intent == "ecole"][:1]
    nothing = propose_examples(INTENTS, "ecole", held_out, EVAL_SET, baseline=baseline)
    assert nothing.precision is None and not nothing.accepted and nothing.text == INTENTS


def test_round_trip_keeps_everything_else() -> None:
    phrases = ["un bac de tri supplémentaire", "il me faudrait un autre bac de tri"]
    after_text = add_examples(INTENTS, "dechets", phrases)
    before, after = yaml.safe_load(INTENTS), yaml.safe_load(after_text)
    assert after["intents"]["dechets"]["examples"] == [
        *before["intents"]["dechets"]["examples"], *phrases
    ]
    after["intents"]["dechets"]["examples"] = before["intents"]["dechets"]["examples"]
    assert after == before
    # A text edit: every line of the old file (comments included) is still there, in order.
    old_lines = INTENTS.splitlines()
    new_lines = after_text.splitlines()
    assert [line for line in new_lines if line in set(old_lines)] == old_lines
    assert len(new_lines) == len(old_lines) + 2


def test_duplicates_and_held_out_lines_are_skipped() -> None:
    held_out = EVAL_SET.rows[0].text
    addition = learn_examples(
        INTENTS, "dechets",
        ["un bac de tri supplémentaire", "Un bac de TRI supplementaire", "euh",
         "quels sont les horaires de la mairie", held_out, "x" * 400],
        held_out=EVAL_SET.held_out(),
    )
    assert addition.added == ("un bac de tri supplémentaire",)
    assert [s.reason for s in addition.skipped] == [
        "already an example of it", "nothing to learn in it",
        "already an example of horaires", "a held-out evaluation line",
        "longer than 300 characters",
    ]
    masked = learn_examples(INTENTS, "agent", ["rappelez moi au [téléphone] ou par [e-mail]"])
    assert masked.added == ("rappelez moi au ou par",)  # no personal data, not even its label
    unchanged = learn_examples(INTENTS, "dechets", ["euh"])
    assert unchanged.text == INTENTS and unchanged.added == ()


def test_out_of_scope_phrases_are_not_understood_on_purpose(monday: datetime) -> None:
    text = "la salle des fêtes c'est combien à louer"
    before = _understander(INTENTS).understand(text, monday)
    after_text = add_out_of_scope(INTENTS, [text, "louer la salle des fêtes pour un mariage"])
    after = _understander(after_text)
    assert before.intent is not None or before.confidence > 0
    assert after.understand("combien pour louer la salle des fêtes", monday).intent is None
    assert yaml.safe_load(after_text)["out_of_scope"]["examples"][-1] == (
        "louer la salle des fêtes pour un mariage"
    )
    assert learn_examples(INTENTS, OUT_OF_SCOPE_TARGET, ["bonjour"]).added == ()


def test_small_files_in_every_style() -> None:
    flow_style = "intents:\n  a:\n    examples: [x, y,]  # kept\n  b:\n    examples:\n    - z"
    once = add_examples(flow_style, "a", ["w, v", "q"])
    assert once.splitlines()[2] == "    examples: [x, y, 'w, v', q]  # kept"
    twice = add_examples(once, "b", ["oui: non"])
    assert yaml.safe_load(twice)["intents"]["b"]["examples"] == ["z", "oui: non"]
    with_section = add_out_of_scope(twice, ["la météo"])
    assert yaml.safe_load(with_section)["out_of_scope"] == {"examples": ["la météo"]}
    listed = add_out_of_scope(flow_style + "\nout_of_scope:\n- a\n", ["la météo"])
    assert yaml.safe_load(listed)["out_of_scope"] == ["a", "la météo"]
    cued = add_out_of_scope(flow_style + "\nout_of_scope:\n  cues: [pluie]\n# end\n", ["météo"])
    assert yaml.safe_load(cued)["out_of_scope"] == {"cues": ["pluie"], "examples": ["météo"]}
    assert cued.endswith("# end\n")


def test_clear_errors() -> None:
    with pytest.raises(LearningError, match="no intent 'inconnu'") as caught:
        add_examples(INTENTS, "inconnu", ["bonjour"])
    assert caught.value.code == "unknown_intent"
    with pytest.raises(IntentsFileError):
        add_examples("intents: [", "a", ["x"])
    with pytest.raises(IntentsFileError):
        add_examples("intents:\n  a:\n    examples: []\n", "a", ["x"])
    with pytest.raises(IntentsFileError):
        check_precision(INTENTS, "nothing: here\n", EVAL_SET)


SMALL_FILE = (
    "# a comment\n"
    "intents:\n"
    "  a:\n"
    "    examples: [un, deux]  # flow style\n"
    "  b:\n"
    "    examples:\n"
    "      - trois\n"
    "out_of_scope:\n"
    "  - quatre\n"
)


@given(
    target=st.sampled_from(["a", "b", OUT_OF_SCOPE_TARGET]),
    phrases=st.lists(
        st.text(
            alphabet=st.sampled_from(list("abcéèç xyz'\":#-[]{},&*!?%@`|>0123456789\t\\")),
            min_size=1, max_size=30,
        ),
        max_size=4,
    ),
)
@settings(max_examples=150, deadline=None)
def test_any_phrase_is_written_so_that_yaml_reads_it_back(target: str, phrases: list[str]) -> None:
    addition = learn_examples(SMALL_FILE, target, phrases)
    document = yaml.safe_load(addition.text)
    examples = (
        document["out_of_scope"] if target == OUT_OF_SCOPE_TARGET
        else document["intents"][target]["examples"]
    )
    assert examples[len(examples) - len(addition.added):] == list(addition.added)
    assert len(addition.added) + len(addition.skipped) == len(phrases)
    assert addition.text.startswith("# a comment\n")
