"""A new knowledge-base answer wired into a flow (the learning loop's "new answer" action).

`add_answer(files, main_file, topic, questions, answer)` takes a flow bundle's texts (file
name -> YAML text) and returns the files it changed: the knowledge file gets an entry
`topic` (its questions, its answer), the main flow file an `answer` node for that topic and,
in the menu that routes the most intents (the main menu), a choice sending intent `topic` to
that node. The node goes on like most answer nodes of the flow do (`next`), or back to the
menu when there is none. Edits keep comments and order (`dialogs.yaml_edit`); the caller
checks the new bundle (flow loading, conversation tests) before storing it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import yaml

from dialogs.errors import DialogsError
from dialogs.yaml_edit import add_item, add_key
from dialogs.yaml_safe import safe_load


class AnswerEditError(DialogsError):
    """The flow cannot take a new answer (no knowledge file, no menu, name taken...)."""

    code = "answer_edit_failed"


def _mapping(text: str, what: str) -> dict[str, Any]:
    try:
        data = safe_load(text)
    except yaml.YAMLError as err:
        raise AnswerEditError(f"{what} is not valid YAML: {err}") from err
    if not isinstance(data, dict):
        raise AnswerEditError(f"{what} is not a mapping")
    return data


def _main_menu(nodes: dict[str, Any]) -> str:
    counts = {name: sum(1 for c in node.get("choices") or [] if isinstance(c, dict)
                        and c.get("intent"))
              for name, node in nodes.items()
              if isinstance(node, dict) and node.get("type") == "menu"}
    if not counts or max(counts.values()) == 0:
        raise AnswerEditError("the flow has no menu routing intents")
    return max(counts, key=lambda name: counts[name])


def _usual_next(nodes: dict[str, Any], menu: str) -> str:
    nexts = Counter(node["next"] for node in nodes.values()
                    if isinstance(node, dict) and node.get("type") == "answer"
                    and isinstance(node.get("next"), str))
    return nexts.most_common(1)[0][0] if nexts else menu


def add_answer(files: dict[str, str], main_file: str, topic: str, questions: list[str],
               answer: str) -> dict[str, str]:
    """The changed files (main flow file and knowledge file) with the new answer."""
    flow = _mapping(files.get(main_file, ""), main_file)
    kb_file = flow.get("knowledge")
    if not isinstance(kb_file, str) or kb_file not in files:
        raise AnswerEditError(f"{main_file} has no knowledge file in the bundle")
    entries = _mapping(files[kb_file], kb_file).get("entries")
    nodes = flow.get("nodes")
    if not isinstance(entries, dict) or not isinstance(nodes, dict):
        raise AnswerEditError("the knowledge file needs entries and the flow nodes")
    if topic in entries or topic in nodes:
        raise AnswerEditError(f"{topic!r} is already an answer or a step of the flow",
                              code="name_taken")
    if not questions or not answer.strip():
        raise AnswerEditError("a new answer needs questions and a text")
    menu = _main_menu(nodes)
    kb_text = add_key(files[kb_file], ["entries"], topic,
                      {"topic": topic, "questions": questions, "answer": answer.strip()})
    node = {"type": "answer", "topic": topic, "next": _usual_next(nodes, menu)}
    flow_text = add_key(files[main_file], ["nodes"], topic, node)
    flow_text = add_item(flow_text, ["nodes", menu, "choices"], {"intent": topic, "goto": topic})
    return {main_file: flow_text, kb_file: kb_text}
