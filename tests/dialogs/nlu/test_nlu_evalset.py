"""Held-out evaluation sets: their TSV format, their clock, and scoring with them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dialogs.nlu import FrenchUnderstander, eval_path_of_intents, load_eval_set
from dialogs.nlu.evalset import EvalSetError, evaluate, parse_eval_set

SMALL = (
    "# clock: 2026-11-23T10:00\n"
    "je voudrais un rendez-vous demain à deux heures\trendez_vous\t"
    '{"date": "2026-11-24", "time": "14:00", "subject": "x"}\n'
    "\n"
    "quel temps fera-t-il\tnull\n"
    "les horaires de la mairie\trendez_vous\t{}\n"
)


def test_parse_and_score(mairie: FrenchUnderstander) -> None:
    eval_set = parse_eval_set(SMALL)
    assert eval_set.clock == datetime(2026, 11, 23, 10, 0)
    assert [row.line for row in eval_set.rows] == [2, 4, 5]
    assert eval_set.rows[1].intent is None
    assert eval_set.rows[0].scored_slots == {"date": "2026-11-24", "time": "14:00"}
    score = evaluate(mairie, eval_set)
    assert (score.lines, score.intents_right, score.slot_lines, score.slots_right) == (3, 2, 1, 1)
    assert score.misses == [
        "line 5: 'les horaires de la mairie': intent horaires "
        f"({score.results[2].confidence:.2f}) != rendez_vous"
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("bonjour\thoraires\n", "no '# clock"),
        ("# clock: 2026-11-23T10:00\nbonjour\n", ":2: expected text<TAB>intent"),
        ("# clock: 2026-11-23T10:00\nbonjour\thoraires\t{oops\n", ":2: slots are not JSON"),
        ("# clock: 2026-11-23T10:00\nbonjour\thoraires\t[1]\n", ":2: slots must be"),
    ],
)
def test_malformed_sets_name_the_line(text: str, problem: str) -> None:
    with pytest.raises(EvalSetError, match=problem):
        parse_eval_set(text, "set.tsv")


def test_the_town_halls_set_is_shipped_beside_its_intents(tmp_path: Path) -> None:
    flows = Path(__file__).resolve().parents[3] / "dialogs" / "flows"
    path = eval_path_of_intents(flows / "mairie.intents.yaml")
    assert path == flows / "mairie.nlu-eval.tsv"
    shipped = load_eval_set(path)
    assert len(shipped.rows) >= 500 and shipped.clock == datetime(2026, 11, 23, 10, 0)
    with pytest.raises(EvalSetError, match="cannot read"):
        load_eval_set(tmp_path / "missing.tsv")
