"""The conversation-test runner (dialogs.scenarios) on the demo flow with the keyword
understander double: passing conversations, clear differences, broken tests files."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs import scenarios
from dialogs.errors import FlowError
from dialogs.loader import LoadedFlow
from dialogs.understanding import Understander
from tests.dialogs.flow_doubles import KeywordUnderstander

FLOWS = Path(__file__).parent / "flows"


def keywords(_: LoadedFlow) -> Understander:
    return KeywordUnderstander()


def test_the_demo_conversations_pass() -> None:
    suite = scenarios.load_suite(FLOWS / "demo.tests.yaml")
    outcomes = scenarios.run_suite(suite, keywords)
    assert [(o.name, o.failures) for o in outcomes] == [
        ("horaires puis au revoir", ()), ("conseiller le dimanche", ()), ("créneau pris", ()),
    ]


def test_differences_are_listed_turn_by_turn(tmp_path: Path) -> None:
    text = (FLOWS / "demo.tests.yaml").read_text(encoding="utf-8")
    text = text.replace("flow: demo.yaml", f"flow: {FLOWS / 'demo.yaml'}")
    text = text.replace("node: suite", "node: menu").replace("La piscine ouvre", "La mer")
    text = text.replace("action: hangup\n        transfer: null",
                        "action: transfer\n        transfer: {queue: guichet}\n"
                        "      - caller: encore")
    text = text.replace('slots: {time: "11:00"}', 'slots: {time: "09:00"}\n      - dtmf: "1"')
    path = tmp_path / "x.tests.yaml"
    path.write_text(text, encoding="utf-8")
    outcomes = scenarios.run_suite(scenarios.load_suite(path), keywords)
    first, second, third = (o.failures for o in outcomes)
    assert first[0].startswith("turn 1 « les horaires de la piscine »:\n")
    assert "node: expected 'menu', got 'suite'" in first[0]
    assert "say: expected to contain 'La mer'" in first[0]
    assert "said: La piscine ouvre à 10 heures." in first[0]
    assert "action: expected 'transfer', got 'hangup'" in first[1]
    assert "transfer: expected {'queue': 'guichet'}, got none" in first[1]
    assert second == ()
    assert "slot time: expected '09:00', got '11:00'" in third[0]
    assert first[2] == "turn 3 « encore »: the call had already ended"
    assert len(third) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("flow: demo.yaml\nconversations: [\n", "invalid YAML"),
        ("flow: demo.yaml\nconversations:\n  - name: a\n    turns:\n"
         "      - {caller: x, dtmf: '1'}\n",
         "give exactly one of 'caller', 'dtmf', 'silence: true'"),
        ("flow: demo.yaml\nconversations:\n  - name: a\n    turns: []\n", "at least 1 item"),
        ("flow: nowhere.yaml\nconversations:\n  - name: a\n    turns: [{silence: true}]\n",
         "cannot read the file"),
    ],
)
def test_broken_tests_files_are_reported(tmp_path: Path, content: str, message: str) -> None:
    for name in ("demo.yaml", "demo.kb.yaml", "demo.hours.yaml"):
        (tmp_path / name).write_text((FLOWS / name).read_text("utf-8"), encoding="utf-8")
    path = tmp_path / "bad.tests.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FlowError) as caught:
        scenarios.load_suite(path)
    assert any(message in issue.message for issue in caught.value.issues), caught.value


def test_tests_files_are_found_from_a_flow_or_a_folder() -> None:
    assert scenarios.tests_file_for(FLOWS / "demo.yaml") == [FLOWS / "demo.tests.yaml"]
    assert scenarios.tests_file_for(FLOWS) == [FLOWS / "demo.tests.yaml"]
