"""Loading and checking flows: every problem is reported with file, line, node and field;
the shipped JSON Schemas match the models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dialogs.errors import FlowError, FlowIssue
from dialogs.loader import check_flow, load_flow
from dialogs.runtime import default_flow_path
from dialogs.schema import SCHEMAS, schema_text

DEMO = Path(__file__).parent / "flows" / "demo.yaml"
HOURS = "services:\n  accueil:\n    label: l'accueil\n    hours: {lundi: ['09:00-12:00']}\n"
KB = "entries:\n  e1: {topic: horaires, questions: [horaires], answer: Ouvert.}\n"
HEAD = """name: Test
hours: t.hours.yaml
knowledge: t.kb.yaml
intents: [horaires, agent]
start: menu
fallback: {escalate: menu, give_up: fin}
nodes:
"""
GOOD_NODES = """  menu:
    type: menu
    prompt: Bonjour.
    choices:
      - {intent: horaires, dtmf: "1", label: les horaires, goto: reponse}
  reponse:
    type: answer
    entry: e1
    next: fin
  fin:
    type: hangup
"""


def write(tmp_path: Path, nodes: str, head: str = HEAD) -> Path:
    (tmp_path / "t.hours.yaml").write_text(HOURS, encoding="utf-8")
    (tmp_path / "t.kb.yaml").write_text(KB, encoding="utf-8")
    path = tmp_path / "t.yaml"
    path.write_text(head + nodes, encoding="utf-8")
    return path


def issues_of(path: Path) -> list[FlowIssue]:
    return check_flow(path)[1]


def test_shipped_flows_are_valid() -> None:
    for path in (default_flow_path(), DEMO):
        loaded, issues = check_flow(path)
        assert issues == [], [str(i) for i in issues]
        assert loaded is not None and loaded.hours is not None and loaded.knowledge is not None
    mairie = load_flow(default_flow_path())
    assert {"horaires", "signalement", "agent", "au_revoir"} <= mairie.intents


def test_a_good_small_flow_loads(tmp_path: Path) -> None:
    loaded = load_flow(write(tmp_path, GOOD_NODES))
    assert set(loaded.flow.nodes) == {"menu", "reponse", "fin"}


def test_bad_yaml_gives_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_NODES + "  oops: [unclosed\n")
    [issue] = issues_of(path)
    assert issue.line == 19 and "invalid YAML" in issue.message
    assert str(issue).startswith(f"{path}:19: invalid YAML: while parsing a flow sequence")


def test_a_french_colon_gets_a_hint(tmp_path: Path) -> None:
    nodes = GOOD_NODES.replace("    prompt: Bonjour.\n", "    prompt: Bonjour : dites.\n")
    [issue] = issues_of(write(tmp_path, nodes))
    assert issue.line == 10
    assert issue.message == (
        "invalid YAML: mapping values are not allowed here: a text containing ' : ' must be "
        "quoted or written after '>-'"
    )


def test_field_errors_name_file_node_field_and_line(tmp_path: Path) -> None:
    nodes = GOOD_NODES.replace("    prompt: Bonjour.\n", "    prompt: Bonjour.\n    colour: red\n")
    nodes = nodes.replace("    entry: e1\n", "    entry: e1\n    topic: horaires\n")
    issues = issues_of(write(tmp_path, nodes))
    by_node = {(i.node, i.field): i for i in issues}
    extra = by_node[("menu", "colour")]
    assert extra.line == 11 and "Extra inputs are not permitted" in extra.message
    both = by_node[("reponse", None)]
    assert "exactly one of 'entry' and 'topic'" in both.message and both.line == 14
    assert str(extra) == f"{tmp_path / 't.yaml'}:11: node 'menu': field 'colour': {extra.message}"


def test_unknown_type_is_reported(tmp_path: Path) -> None:
    issues = issues_of(write(tmp_path, GOOD_NODES + "  x:\n    type: dance\n"))
    assert any(i.node == "x" and "dance" in i.message for i in issues)


def test_every_cross_reference_problem_is_listed(tmp_path: Path) -> None:
    nodes = GOOD_NODES.replace("goto: reponse}", "goto: nowhere}")
    nodes = nodes.replace("intent: horaires,", "intent: meteo,")
    nodes = nodes.replace("entry: e1", "entry: e9")
    nodes += "  vers:\n    type: transfer\n    queue: piscine\n    reason: test\n"
    issues = issues_of(write(tmp_path, nodes))
    messages = {(i.node, i.field, i.message) for i in issues}
    assert ("menu", "choices.0.goto", "unknown node 'nowhere'") in messages
    assert ("menu", "choices.0.intent", "unknown intent 'meteo'") in messages
    assert ("reponse", "entry", "unknown knowledge entry 'e9'") in messages
    assert ("vers", "queue", "unknown service/queue 'piscine' (not in the hours file)") in messages
    unreachable = {i.node for i in issues if i.message.startswith("unreachable")}
    assert unreachable == {"reponse", "vers"}
    line_of = {i.node: i.line for i in issues if i.field == "choices.0.goto"}
    assert line_of == {"menu": 12}


def test_flow_level_references_and_keys_are_checked(tmp_path: Path) -> None:
    head = HEAD.replace("give_up: fin", "give_up: ailleurs").replace(
        "nodes:\n", "global:\n  agent: {intent: agent, dtmf: '1', goto: fin}\nnodes:\n"
    )
    issues = issues_of(write(tmp_path, GOOD_NODES, head=head))
    messages = {(i.field, i.message) for i in issues}
    assert ("fallback.give_up", "unknown node 'ailleurs'") in messages
    assert ("choices.0.dtmf", "key '1' is taken by a global handler") in messages


def test_form_requirements_are_checked(tmp_path: Path) -> None:
    nodes = GOOD_NODES + """  rdv:
    type: form
    submit: book
    slots:
      - {name: time, kind: time, check: free_time, prompt: Heure}
    confirm: OK ?
    done: Fait.
    next: fin
"""
    issues = issues_of(write(tmp_path, nodes.replace("kind: time", "kind: heure")))
    messages = {(i.node, i.message) for i in issues}
    assert any(node == "rdv" and m.startswith("unknown slot kind 'heure' (known: address, date")
               for node, m in messages)
    assert ("rdv", "submit 'book' needs slots ['date', 'name', 'phone', 'time']") in messages
    assert ("rdv", "submit 'book' needs a 'service'") in messages
    assert ("rdv", "check 'free_time' needs the form's 'service'") in messages
    assert ("rdv", "check 'free_time' needs a 'date' slot before it") in messages


def test_duplicate_node_ids_are_an_error(tmp_path: Path) -> None:
    issues = issues_of(write(tmp_path, GOOD_NODES + "  fin:\n    type: hangup\n"))
    assert any(i.message == "key 'fin' appears twice" and i.line == 19 for i in issues)


def test_data_file_problems_name_the_data_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_NODES)
    (tmp_path / "t.hours.yaml").write_text(
        "services:\n  accueil:\n    label: x\n    hours: {lundi: ['12:00-09:00']}\n",
        encoding="utf-8",
    )
    (tmp_path / "t.kb.yaml").unlink()
    issues = issues_of(path)
    files = {Path(i.file).name: i for i in issues}
    assert "ends before it starts" in files["t.hours.yaml"].message
    assert files["t.hours.yaml"].line == 4
    assert "cannot read the file" in files["t.kb.yaml"].message


def test_yes_and_no_stay_words_and_dates_stay_text(tmp_path: Path) -> None:
    nodes = GOOD_NODES.replace(
        '- {intent: horaires, dtmf: "1", label: les horaires, goto: reponse}',
        '- {intent: horaires, dtmf: "1", label: les horaires, goto: reponse}\n'
        "      - {reply: yes, goto: fin}\n      - {reply: no, dtmf: '2', label: non, goto: fin}",
    )
    nodes += "  s:\n    type: set\n    set: {date: 2026-05-12}\n    next: fin\n"
    loaded, issues = check_flow(write(tmp_path, nodes))
    assert [i.message for i in issues] == ["unreachable node (nothing leads to it)"]
    assert loaded is not None
    assert loaded.flow.nodes["s"].set == {"date": "2026-05-12"}


def test_load_flow_raises_with_every_issue(tmp_path: Path) -> None:
    nodes = GOOD_NODES.replace("goto: reponse}", "goto: a}") + "  b: {type: goto, goto: c}\n"
    path = write(tmp_path, nodes)
    with pytest.raises(FlowError) as caught:
        load_flow(path)
    assert caught.value.code == "flow_invalid"
    assert len(caught.value.issues) >= 4  # a, c, unreachable reponse and b


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_shipped_json_schemas_are_up_to_date(name: str) -> None:
    model, title = SCHEMAS[name]
    shipped = (Path(__file__).resolve().parents[2] / "dialogs" / name).read_text(encoding="utf-8")
    assert shipped == schema_text(model, title), f"run: python -m dialogs.schema ({name})"
    assert json.loads(shipped)["title"] == title


def test_placeholders_and_braces_are_checked(tmp_path: Path) -> None:
    nodes = GOOD_NODES.replace("    prompt: Bonjour.\n",
                               "    prompt: 'Bonjour {nom}, {hours:piscine} {hours:accueil} {'\n")
    goodbye = "    say: 'Au revoir {service}, réf {reference}'\n"
    nodes = nodes.replace("  fin:\n    type: hangup\n", "  fin:\n    type: hangup\n" + goodbye)
    issues = issues_of(write(tmp_path, nodes))
    assert [(i.node, i.field, i.line) for i in issues] == [("menu", "prompt", 10)]
    assert issues[0].message.startswith("bad braces in text")
    nodes = nodes.replace(" {'\n", "'\n")
    messages = {i.message for i in issues_of(write(tmp_path, nodes))}
    assert messages == {
        "unknown placeholder '{nom}' (no form, set node or NLU fills it)",
        "unknown service 'piscine' in {hours:piscine}",
    }


def test_loops_that_never_wait_for_the_caller_are_reported(tmp_path: Path) -> None:
    nodes = GOOD_NODES.replace("    next: fin\n", "    next: a\n") + (
        "  a:\n    type: set\n    increment: [n]\n    next: b\n"
        "  b:\n    type: condition\n    branches:\n      - when: {counter: n, at_least: 9}\n"
        "        goto: fin\n    else: a\n"
    )
    issues = issues_of(write(tmp_path, nodes))
    assert [i.message for i in issues] == [
        "these nodes can loop without ever waiting for the caller: a -> b -> a"
    ]
    assert issues[0].node == "a" and issues[0].line == 19
