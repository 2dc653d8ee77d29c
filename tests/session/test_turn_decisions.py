"""The pure decisions of a turn, with the real French understander and the town-hall flow."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dialogs.loader import LoadedFlow, load_flow
from dialogs.nlu import FrenchUnderstander
from dialogs.runtime import default_flow_path, french_understander
from dialogs.state import CallState
from ivr.session.turns import SettleTimer, digits_done, expected_kind, is_complete

NOW = datetime(2026, 5, 12, 10, 0)


@pytest.fixture(scope="module")
def town_hall() -> LoadedFlow:
    return load_flow(default_flow_path())


@pytest.fixture(scope="module")
def understander(town_hall: LoadedFlow) -> FrenchUnderstander:
    found = french_understander(town_hall)
    assert isinstance(found, FrenchUnderstander)
    return found


@pytest.mark.parametrize(
    ("node", "form_slot", "kind"),
    [
        ("rappel", "phone", "phone"),
        ("rappel", "!confirm", "yes_no"),
        ("rdv_identite", "date", "date"),
        ("menu_principal", None, None),  # an open question
        ("etat_civil_suite", None, None),  # yes or no, but other requests are welcome too
    ],
)
def test_the_expected_kind_of_answer(
    town_hall: LoadedFlow, node: str, form_slot: str | None, kind: str | None
) -> None:
    assert expected_kind(town_hall, CallState(node=node, form_slot=form_slot)) == kind


def test_a_plain_yes_no_question_expects_yes_or_no(tmp_path: Path) -> None:
    flow = tmp_path / "question.yaml"
    flow.write_text(
        "name: Q\nintents: []\nstart: q\nfallback: {escalate: q, give_up: fin}\n"
        "nodes:\n"
        "  q: {type: ask, prompt: Êtes-vous sûr, routes: [{reply: 'yes', goto: fin},"
        " {reply: 'no', goto: fin}]}\n"
        "  fin: {type: hangup, say: Au revoir.}\n", encoding="utf-8")
    assert expected_kind(load_flow(flow), CallState(node="q")) == "yes_no"


@pytest.mark.parametrize(
    ("kind", "text", "complete"),
    [
        ("yes_no", "oui", True),
        ("yes_no", "non merci", True),
        ("yes_no", "euh", False),
        ("yes_no", "non je voudrais plutôt parler de ma carte grise", False),
        ("phone", "zéro six douze trente quatre cinquante six soixante dix huit", True),
        ("phone", "zéro six douze trente quatre", False),
        (None, "oui", False),
        ("date", "demain", False),  # only yes/no and phone numbers end a turn early
    ],
)
def test_a_partial_result_is_a_complete_answer(
    understander: FrenchUnderstander, kind: str | None, text: str, complete: bool
) -> None:
    assert is_complete(kind, text, understander, NOW) is complete


def test_a_complete_answer_ends_the_turn_once_it_has_settled() -> None:
    timer = SettleTimer(settle_ms=250)
    assert not timer.advance(1000)  # nothing complete yet
    timer.partial(True)
    assert not timer.advance(200)
    timer.partial(True)  # the words changed: the wait starts over
    assert not timer.advance(200)
    assert timer.advance(60)
    timer.partial(False)
    assert not timer.advance(1000)


@pytest.mark.parametrize(
    ("digits", "max_digits", "done"),
    [("1", 1, True), ("06", 11, False), ("0612345678#", 11, True), ("#", 11, True),
     ("12", 0, True)],
)
def test_keypad_input_is_whole(digits: str, max_digits: int, done: bool) -> None:
    assert digits_done(digits, max_digits) is done
