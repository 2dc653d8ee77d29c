"""Keypad access: a caller who cannot speak (or cannot be understood) must be able to use
every menu and question of a flow with the keypad alone. Problems are warnings (the flow
still works: after two failures the caller is offered `fallback.escalate`), listed by
`check-flow` and fatal with `--strict`:

- a question (ask node) none of whose answers has a key;
- a spoken yes/no answer whose destination no key of the same step leads to;
- a menu, question or feedback step that cannot be reached from the start by keys only
  (keys of menus, global handler keys, forms whose slots can all be typed).
"""

from __future__ import annotations

from collections.abc import Iterator

from dialogs.checks import flow_entry_points, node_targets, reachable
from dialogs.errors import FlowIssue
from dialogs.flow_model import AskNode, FeedbackNode, Flow, FormNode, MenuNode, Node
from dialogs.yaml_source import YamlDocument

TYPED_KINDS = frozenset({"phone", "number"})
"""Slot kinds a caller can type on the keypad."""


def keypad_targets(node: Node) -> Iterator[str]:
    """Where a keypad-only caller can go from `node` (no failure paths)."""
    if isinstance(node, AskNode | MenuNode):
        choices = node.routes if isinstance(node, AskNode) else node.choices
        yield from (choice.goto for choice in choices if choice.dtmf is not None)
    elif isinstance(node, FormNode):
        if all(slot.kind in TYPED_KINDS for slot in node.slots):
            yield node.next
    elif isinstance(node, FeedbackNode):
        yield node.next
        if node.if_low:
            yield node.if_low
    else:
        yield from (target for _, target in node_targets(node))


def keypad_reachable(flow: Flow) -> set[str]:
    """Nodes a caller reaches from the start with keys only."""
    starts = [flow.start, flow.fallback.escalate, flow.fallback.give_up]  # wrong keys lead there
    starts += [
        handler.goto
        for handler in (flow.handlers.agent, flow.handlers.goodbye, flow.handlers.message)
        if handler is not None and handler.dtmf and handler.goto
    ]
    return reachable(flow, starts, keypad_targets)


def check_keypad(flow: Flow, document: YamlDocument) -> list[FlowIssue]:
    issues: list[FlowIssue] = []

    def warn(message: str, node: str, *location: str | int) -> None:
        line = document.line_of(("nodes", node, *location))
        field = ".".join(str(part) for part in location) or None
        issues.append(FlowIssue(document.path, message, line, node, field, severity="warning"))

    for node_id, node in flow.nodes.items():
        if not isinstance(node, AskNode | MenuNode):
            continue
        choices = node.routes if isinstance(node, AskNode) else node.choices
        key = "routes" if isinstance(node, AskNode) else "choices"
        keyed = {choice.goto for choice in choices if choice.dtmf is not None}
        if not keyed:
            warn("this question can be answered by speech only: give its answers a 'dtmf' key",
                 node_id, key)
            continue
        for index, choice in enumerate(choices):
            if choice.reply is not None and choice.goto not in keyed:
                warn(f"the spoken '{choice.reply}' has no keypad equivalent: add a 'dtmf' key "
                     f"leading to '{choice.goto}'", node_id, key, index)
    by_keys = keypad_reachable(flow)
    every = reachable(flow, (target for _, target in flow_entry_points(flow)))
    for node_id in sorted(every - by_keys):
        if isinstance(flow.nodes[node_id], AskNode | MenuNode | FeedbackNode):
            warn("this step cannot be reached with the keypad only: add a keyed choice leading "
                 "to it from a menu", node_id)
    return issues
