"""Checks of the French texts of a flow and its knowledge base: braces are balanced and every
placeholder is known (a slot a form, a set node or the NLU fills; `reference`, `service`,
`proposed`, `hours`, `hours:SERVICE` with a service of the hours file)."""

from __future__ import annotations

import string
from collections.abc import Iterator

from dialogs.errors import FlowIssue
from dialogs.flow_model import Flow, FormNode, Node, SetNode
from dialogs.knowledge import KnowledgeFile
from dialogs.yaml_source import Location, YamlDocument

SPECIAL = frozenset({"reference", "service", "proposed", "hours"})
_FORMATTER = string.Formatter()


def node_texts(node: Node) -> Iterator[tuple[Location, str]]:
    """(field location inside the node, text) of every text said by a node."""
    for field in ("prompt", "say", "intro", "done", "closed_say", "confirm", "help", "reason",
                  "question", "thanks"):
        value = getattr(node, field, None)
        if isinstance(value, str):
            yield (field,), value
        elif isinstance(value, list):
            yield from (((field, i), text) for i, text in enumerate(value))
    for index, text in enumerate(getattr(node, "reprompts", [])):
        yield ("reprompts", index), text
    if isinstance(node, FormNode):
        for index, slot in enumerate(node.slots):
            yield ("slots", index, "prompt"), slot.prompt
            for number, text in enumerate(slot.reprompts):
                yield ("slots", index, "reprompts", number), text
    if isinstance(node, SetNode):
        for key, value in node.set.items():
            yield ("set", key), value


def placeholders(text: str) -> list[tuple[str, str]]:
    """(name, spec) of each `{name:spec}` in `text`; ValueError on unbalanced braces."""
    return [(name, spec or "") for _, name, spec, _ in _FORMATTER.parse(text) if name is not None]


def known_slots(flow: Flow, nlu_slots: frozenset[str]) -> frozenset[str]:
    names = set(nlu_slots)
    for node in flow.nodes.values():
        if isinstance(node, FormNode):
            names.update(slot.name for slot in node.slots)
        elif isinstance(node, SetNode):
            names.update(node.set)
    return frozenset(names)


def check_texts(
    flow: Flow,
    document: YamlDocument,
    knowledge: KnowledgeFile | None,
    knowledge_file: str,
    services: frozenset[str],
    nlu_slots: frozenset[str],
) -> list[FlowIssue]:
    slots = known_slots(flow, nlu_slots)
    issues: list[FlowIssue] = []
    for node_id, node in flow.nodes.items():
        for location, text in node_texts(node):
            for message in _problems(text, slots, services):
                line = document.line_of(("nodes", node_id, *location))
                field = ".".join(str(part) for part in location)
                issues.append(FlowIssue(document.path, message, line, node_id, field))
    for entry_id, entry in (knowledge.entries if knowledge else {}).items():
        for message in _problems(entry.answer, frozenset(), services):
            issues.append(FlowIssue(knowledge_file, message, node=entry_id, field="answer"))
    return issues


def _problems(text: str, slots: frozenset[str], services: frozenset[str]) -> Iterator[str]:
    try:
        found = placeholders(text)
    except ValueError as err:
        yield f"bad braces in text ({err}); write {{{{ and }}}} for literal braces"
        return
    for name, spec in found:
        if name == "hours" and spec and spec not in services:
            yield f"unknown service '{spec}' in {{hours:{spec}}}"
        elif name not in SPECIAL and name not in slots:
            yield f"unknown placeholder '{{{name}}}' (no form, set node or NLU fills it)"
