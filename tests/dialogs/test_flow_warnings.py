"""Warnings of `check-flow`: long texts, unexplained abbreviations, speech-only questions and
steps out of keypad reach. Warnings do not stop a flow from loading (`check-flow --strict`
fails on them: tests/ivr/test_cli_dialogs.py)."""

from __future__ import annotations

from pathlib import Path

from dialogs.errors import FlowIssue
from dialogs.flow_settings import Wording
from dialogs.loader import check_flow, load_flow
from dialogs.wording_checks import unexplained, word_count
from tests.dialogs.test_flow_loader import GOOD_NODES, HEAD, write

LONG = " ".join(["mot"] * 41)


def warnings_of(path: Path) -> list[FlowIssue]:
    _, issues = check_flow(path)
    assert all(issue.severity == "warning" for issue in issues), [str(i) for i in issues]
    return issues


def test_words_are_counted_without_punctuation() -> None:
    assert word_count("Quel jour ? Dites : lundi, ou « mardi ».") == 6


def test_an_abbreviation_is_fine_with_its_expansion_or_when_allowed() -> None:
    wording = Wording(abbreviations={"PACS": "pacte civil de solidarité"}, allowed=["SAMU"])
    assert unexplained("Apportez votre CNI.", wording) == ["CNI"]
    assert unexplained("Votre carte nationale d'identité (CNI).", wording) == []
    assert unexplained("Le plan local d'urbanisme, ou PLU, change.", wording) == []
    assert unexplained("Pour un PACS, venez à l'accueil.", wording) == ["PACS"]
    assert unexplained("Le PACS, pacte civil de solidarité, se signe ici.", wording) == []
    assert unexplained("Appelez le SAMU.", wording) == []
    assert unexplained("Le site de l'ANTS.", wording) == ["ANTS"]
    assert unexplained("À Saint-Aubin-sur-Loire, un A suffit.", wording) == []


def test_long_texts_and_jargon_are_warnings_with_file_line_and_field(tmp_path: Path) -> None:
    nodes = GOOD_NODES.replace("prompt: Bonjour.", f"prompt: Bonjour. {LONG}").replace(
        "type: hangup", "type: hangup\n    say: Votre dossier PLU est prêt.")
    path = write(tmp_path, nodes)
    found = [(i.line, i.node, i.field, i.message.split(":")[0]) for i in warnings_of(path)]
    assert found == [
        (10, "menu", "prompt", "text of 42 words (more than 40)"),
        (19, "fin", "say", "abbreviation 'PLU' without its expansion"),
    ]
    assert load_flow(path).flow.start == "menu"  # warnings do not stop the flow


def test_the_word_limit_and_the_allowed_list_come_from_the_flow(tmp_path: Path) -> None:
    head = HEAD.replace("nodes:\n", "wording: {max_words: 50, allowed: [PLU]}\nnodes:\n")
    nodes = GOOD_NODES.replace("prompt: Bonjour.", f"prompt: Bonjour. {LONG}").replace(
        "type: hangup", "type: hangup\n    say: Votre dossier PLU est prêt.")
    assert warnings_of(write(tmp_path, nodes, head)) == []


SPOKEN_ONLY = GOOD_NODES.replace("next: fin", "next: encore").replace(
    '      - {intent: horaires, dtmf: "1", label: les horaires, goto: reponse}',
    '      - {intent: horaires, dtmf: "1", label: les horaires, goto: reponse}\n'
    '      - {intent: agent, goto: oui_non}\n'
    '      - {reply: "no", goto: cache}',
) + """  encore:
    type: ask
    prompt: Autre chose ?
    routes:
      - {reply: "yes", goto: menu}
      - {reply: "no", goto: fin}
  oui_non:
    type: menu
    prompt: Voulez-vous un conseiller ?
    choices:
      - {reply: "yes", dtmf: "1", label: oui, goto: fin}
      - {reply: "no", goto: menu}
  cache:
    type: menu
    prompt: Menu caché.
    choices:
      - {dtmf: "1", label: oui, goto: fin}
"""


def test_speech_only_answers_and_steps_out_of_keypad_reach(tmp_path: Path) -> None:
    path = write(tmp_path, SPOKEN_ONLY)
    found = sorted((i.node or "", i.field or "", i.message.split(":")[0])
                   for i in warnings_of(path))
    assert found == [
        ("cache", "", "this step cannot be reached with the keypad only"),
        ("encore", "routes", "this question can be answered by speech only"),
        ("menu", "choices.2", "the spoken 'no' has no keypad equivalent"),
        ("oui_non", "", "this step cannot be reached with the keypad only"),
        ("oui_non", "choices.1", "the spoken 'no' has no keypad equivalent"),
    ]
