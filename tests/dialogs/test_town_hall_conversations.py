"""The town-hall flow's expected conversations (dialogs/flows/mairie.tests.yaml), played with
the real French understander; plus checks that the set covers what the flow must do."""

from __future__ import annotations

from functools import cache

import pytest

from dialogs import scenarios
from dialogs.loader import load_flow
from dialogs.runtime import default_flow_path, french_understander
from dialogs.understanding import Understander

SUITE = scenarios.load_suite(scenarios.tests_file_for(default_flow_path())[0])


@cache
def understander() -> Understander:
    return french_understander(SUITE.loaded)


@pytest.mark.parametrize(
    "index", range(len(SUITE.tests.conversations)),
    ids=[c.name for c in SUITE.tests.conversations],
)
def test_conversation(index: int) -> None:
    outcome = scenarios.run_conversation(SUITE, SUITE.tests.conversations[index], understander())
    assert outcome.passed, "\n".join(outcome.failures)


def test_the_conversations_cover_every_intent_and_ending() -> None:
    suite = SUITE
    intents = {t.intent for c in suite.tests.conversations for t in c.turns if t.intent}
    flow = load_flow(default_flow_path())
    assert intents >= flow.intents, flow.intents - intents
    actions = {t.action for c in suite.tests.conversations for t in c.turns if t.action}
    assert actions == {"listen", "transfer", "hangup"}
    inputs = {("dtmf" if t.dtmf else "silence" if t.silence else "speech")
              for c in suite.tests.conversations for t in c.turns}
    assert inputs == {"dtmf", "silence", "speech"}
    assert len(suite.tests.conversations) >= 40
    assert any(c.booked for c in suite.tests.conversations)
