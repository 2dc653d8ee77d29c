"""Cross-reference checks of a parsed flow: node, intent, knowledge entry and queue names,
keypad conflicts, form requirements and unreachable nodes. Each problem is a `FlowIssue`
with the flow file's line."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from dialogs.conditions_model import Condition
from dialogs.errors import FlowIssue
from dialogs.flow_model import (
    LISTENING_TYPES,
    AnnounceNode,
    AnswerNode,
    AskNode,
    ConditionNode,
    FeedbackNode,
    Flow,
    FormNode,
    GotoNode,
    MenuNode,
    Node,
    SayNode,
    SetNode,
    TransferNode,
)
from dialogs.hours import HoursFile
from dialogs.knowledge import KnowledgeFile
from dialogs.yaml_source import Location, YamlDocument

Ref = tuple[Location, str]
HANDLER_NAMES = ("repeat", "help", "agent", "goodbye", "message")
Report = Callable[[str, Location, str | None], None]


def node_targets(node: Node) -> Iterator[Ref]:
    """(field location inside the node, target node id) of every jump a node can make."""
    if isinstance(node, AskNode | MenuNode):
        choices = node.routes if isinstance(node, AskNode) else node.choices
        key = "routes" if isinstance(node, AskNode) else "choices"
        for index, choice in enumerate(choices):
            yield (key, index, "goto"), choice.goto
        if node.on_failure:
            yield ("on_failure",), node.on_failure
        if node.inherit:
            yield ("inherit",), node.inherit
    elif isinstance(node, FormNode):
        yield ("next",), node.next
        if node.on_failure:
            yield ("on_failure",), node.on_failure
    elif isinstance(node, SayNode | AnswerNode | SetNode | AnnounceNode):
        yield ("next",), node.next
    elif isinstance(node, FeedbackNode):
        yield ("next",), node.next
        if node.if_low:
            yield ("if_low",), node.if_low
    elif isinstance(node, TransferNode) and node.if_closed:
        yield ("if_closed",), node.if_closed
    elif isinstance(node, GotoNode):
        yield ("goto",), node.goto
    elif isinstance(node, ConditionNode):
        for index, branch in enumerate(node.branches):
            yield ("branches", index, "goto"), branch.goto
        yield ("else",), node.otherwise


def flow_entry_points(flow: Flow) -> Iterator[Ref]:
    """Nodes the engine can jump to from outside any node."""
    yield ("start",), flow.start
    yield ("fallback", "escalate"), flow.fallback.escalate
    yield ("fallback", "give_up"), flow.fallback.give_up
    for name in HANDLER_NAMES:
        handler = getattr(flow.handlers, name)
        if handler is not None and handler.goto:
            yield ("global", name, "goto"), handler.goto


def _services_in(condition: Condition) -> Iterator[str]:
    if condition.open is not None:
        yield condition.open
    for child in (condition.all or []) + (condition.any or []):
        yield from _services_in(child)
    if condition.negate is not None:
        yield from _services_in(condition.negate)


def cross_check(
    flow: Flow,
    document: YamlDocument,
    knowledge: KnowledgeFile | None,
    hours: HoursFile | None,
    intents: frozenset[str],
    kinds: frozenset[str],
) -> list[FlowIssue]:
    issues: list[FlowIssue] = []

    def report(message: str, location: Location, node: str | None = None) -> None:
        full = ("nodes", node, *location) if node is not None else location
        field = ".".join(str(part) for part in location) or None
        issues.append(FlowIssue(document.path, message, document.line_of(full), node, field))

    services = set(hours.services) if hours else set()

    def check_service(name: str, location: Location, node: str | None = None) -> None:
        if hours is None:
            report(f"service '{name}' used but the flow has no hours file", location, node)
        elif name not in services:
            report(f"unknown service/queue '{name}' (not in the hours file)", location, node)

    def check_intent(name: str | None, location: Location, node: str | None = None) -> None:
        if name is not None and name not in intents:
            report(f"unknown intent '{name}'", location, node)

    for location, target in flow_entry_points(flow):
        if target not in flow.nodes:
            report(f"unknown node '{target}'", location)
    handlers = [getattr(flow.handlers, name) for name in HANDLER_NAMES]
    global_keys = {handler.dtmf for handler in handlers if handler is not None and handler.dtmf}
    for name in HANDLER_NAMES:
        handler = getattr(flow.handlers, name)
        if handler is not None:
            check_intent(handler.intent, ("global", name, "intent"))
    codes: set[str] = set()
    for name in ("slower", "normal", "clearer"):
        request = getattr(flow.accessibility, name)
        if request is not None and request.dtmf is not None:
            if request.dtmf in codes:
                report(f"keypad code '{request.dtmf}' used twice",
                       ("accessibility", name, "dtmf"))
            codes.add(request.dtmf)
    topics = intents | (knowledge.topics() if knowledge else set())
    for node_id, node in flow.nodes.items():
        for location, target in node_targets(node):
            if target not in flow.nodes:
                report(f"unknown node '{target}'", location, node_id)
        if isinstance(node, AskNode | MenuNode):
            choices = node.routes if isinstance(node, AskNode) else node.choices
            key = "routes" if isinstance(node, AskNode) else "choices"
            keys: set[str] = set()
            for index, choice in enumerate(choices):
                check_intent(choice.intent, (key, index, "intent"), node_id)
                if choice.dtmf in global_keys:
                    report(f"key '{choice.dtmf}' is taken by a global handler",
                           (key, index, "dtmf"), node_id)
                if choice.dtmf is not None and choice.dtmf in keys:
                    report(f"key '{choice.dtmf}' used twice", (key, index, "dtmf"), node_id)
                keys.add(choice.dtmf or "")
            parent = flow.nodes.get(node.inherit or "")
            if parent is not None and not isinstance(parent, AskNode | MenuNode):
                report("'inherit' must name an ask or menu node", ("inherit",), node_id)
        elif isinstance(node, AnswerNode):
            if knowledge is None:
                report("answer node but the flow has no knowledge file", ("type",), node_id)
            elif node.entry is not None and node.entry not in knowledge.entries:
                report(f"unknown knowledge entry '{node.entry}'", ("entry",), node_id)
            elif node.topic is not None and node.topic not in knowledge.topics():
                report(f"no knowledge entry has topic '{node.topic}'", ("topic",), node_id)
        elif isinstance(node, TransferNode):
            check_service(node.queue, ("queue",), node_id)
        elif isinstance(node, AnnounceNode) and node.topic and node.topic not in topics:
            report(f"unknown topic '{node.topic}' (neither an intent nor a knowledge topic)",
                   ("topic",), node_id)
        elif isinstance(node, ConditionNode):
            for index, branch in enumerate(node.branches):
                for service in _services_in(branch.when):
                    check_service(service, ("branches", index, "when"), node_id)
        elif isinstance(node, FormNode):
            _check_form(node_id, node, report, check_service)
            for index, slot in enumerate(node.slots):
                if slot.kind not in kinds:
                    report(f"unknown slot kind '{slot.kind}' (known: {', '.join(sorted(kinds))})",
                           ("slots", index, "kind"), node_id)
    issues += _unreachable(flow, document)
    issues += _passive_loops(flow, document)
    return issues


def _check_form(node_id: str, node: FormNode, report: Report, check_service: Report) -> None:
    names = [slot.name for slot in node.slots]
    needs = {"book": {"date", "time", "name", "phone"}, "callback": {"phone"}}.get(node.submit)
    if needs and not needs <= set(names):
        report(f"submit '{node.submit}' needs slots {sorted(needs)}", ("slots",), node_id)
    if node.submit in ("book", "ticket") and node.service is None:
        report(f"submit '{node.submit}' needs a 'service'", ("submit",), node_id)
    if node.service is not None:
        check_service(node.service, ("service",), node_id)
    for index, slot in enumerate(node.slots):
        if slot.check in ("open_date", "free_time") and node.service is None:
            report(f"check '{slot.check}' needs the form's 'service'",
                   ("slots", index, "check"), node_id)
        if slot.check == "free_time" and "date" not in names[:index]:
            report("check 'free_time' needs a 'date' slot before it",
                   ("slots", index, "check"), node_id)


def reachable(
    flow: Flow, starts: Iterable[str], targets: Callable[[Node], Iterable[str]] | None = None
) -> set[str]:
    """Nodes reached from `starts` following `targets` (default: every jump a node makes)."""
    follow = targets or (lambda node: (target for _, target in node_targets(node)))
    todo, seen = list(starts), set[str]()
    while todo:
        current = todo.pop()
        if current in seen or current not in flow.nodes:
            continue
        seen.add(current)
        todo.extend(follow(flow.nodes[current]))
    return seen


def _unreachable(flow: Flow, document: YamlDocument) -> list[FlowIssue]:
    seen = reachable(flow, (target for _, target in flow_entry_points(flow)))
    return [
        FlowIssue(document.path, "unreachable node (nothing leads to it)",
                  document.line_of(("nodes", node_id)), node_id)
        for node_id in flow.nodes
        if node_id not in seen
    ]


def _passive_loops(flow: Flow, document: YamlDocument) -> list[FlowIssue]:
    """Cycles made only of nodes that do not wait for the caller (the engine would stop
    them after a few dozen hops with an apology; better to catch them here)."""
    passive = {
        node_id: [t for _, t in node_targets(node) if t in flow.nodes]
        for node_id, node in flow.nodes.items()
        if node.type not in LISTENING_TYPES
    }
    issues: list[FlowIssue] = []
    reported: set[str] = set()
    safe: set[str] = set()
    for start in passive:
        cycle = _cycle_from(start, passive, [], safe)
        if cycle and not reported & set(cycle):
            reported.update(cycle)
            issues.append(FlowIssue(
                document.path,
                "these nodes can loop without ever waiting for the caller: "
                + " -> ".join(cycle),
                document.line_of(("nodes", cycle[0])), cycle[0],
            ))
    return issues


def _cycle_from(
    node_id: str, edges: dict[str, list[str]], path: list[str], safe: set[str]
) -> list[str] | None:
    """A cycle reached from `node_id` through `edges` (depth first), as node ids; `safe`
    collects the nodes from which no cycle can be reached."""
    if node_id in path:
        return [*path[path.index(node_id):], node_id]
    if node_id not in edges or node_id in safe:
        return None
    for target in edges[node_id]:
        cycle = _cycle_from(target, edges, [*path, node_id], safe)
        if cycle:
            return cycle
    safe.add(node_id)
    return None
