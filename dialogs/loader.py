"""Loading a flow file and its data files (knowledge base, hours, NLU intents,
announcements) with every problem reported at once: file, line, node and field.

`load_flow(path)` returns a `LoadedFlow` or raises `FlowError` when there is an error;
`check_flow(path)` returns every issue, errors and warnings (wording, keypad access: the flow
is usable with warnings). Data file paths are relative to the flow file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from dialogs.announcements import AnnouncementsFile, FileAnnouncements
from dialogs.checks import cross_check
from dialogs.errors import FlowError, FlowIssue
from dialogs.flow_model import BUILTIN_KINDS, Flow
from dialogs.hours import HoursFile
from dialogs.keypad_checks import check_keypad
from dialogs.knowledge import KnowledgeFile
from dialogs.prompt_checks import check_texts
from dialogs.wording_checks import check_wording
from dialogs.yaml_source import YamlDocument, read_yaml

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class LoadedFlow:
    """A validated flow with its data."""

    path: Path
    flow: Flow
    knowledge: KnowledgeFile | None
    hours: HoursFile | None
    nlu_path: Path | None
    """Intents file for the French understander, when the flow names one."""
    intents: frozenset[str]
    """Every intent the flow may refer to (declared in the flow or the NLU file)."""
    announcements: FileAnnouncements | None = None
    """The flow's announcements file, when it names one."""

    def node(self, node_id: str) -> Any:
        return self.flow.nodes[node_id]


def parse_model(
    model: type[ModelT], document: YamlDocument, node_key: str | None = None
) -> tuple[ModelT | None, list[FlowIssue]]:
    """Validate a parsed YAML document against a model; issues name node and field.

    `node_key` is the top-level key whose children are named nodes (e.g. "nodes")."""
    try:
        return model.model_validate(document.data), []
    except ValidationError as err:
        issues = []
        for error in err.errors():
            location = tuple(error["loc"])
            node: str | None = None
            field_parts = [str(part) for part in location]
            if node_key and len(location) >= 2 and location[0] == node_key:
                node = str(location[1])
                field_parts = [str(part) for part in location[2:]]
                # pydantic puts the union tag (the node type) first: it is not a field
                tag = _node_type(document, node_key, node)
                if field_parts and field_parts[0] == tag:
                    field_parts = field_parts[1:]
            issues.append(
                FlowIssue(
                    document.path,
                    error["msg"],
                    line=document.line_of(location),
                    node=node,
                    field=".".join(field_parts) or None,
                )
            )
        return None, issues


def _node_type(document: YamlDocument, node_key: str, node: str) -> str | None:
    data = document.data
    if isinstance(data, dict):
        entry = data.get(node_key, {}).get(node) if isinstance(data.get(node_key), dict) else None
        if isinstance(entry, dict) and isinstance(entry.get("type"), str):
            return str(entry["type"])
    return None


def _load_data(
    model: type[ModelT], base: Path, relative: str | None
) -> tuple[ModelT | None, list[FlowIssue]]:
    if relative is None:
        return None, []
    document, issues = read_yaml(base / relative)
    if document is None:
        return None, issues
    value, more = parse_model(model, document)
    return value, issues + more


@dataclass(frozen=True, slots=True)
class NluDeclarations:
    """What a flow may rely on from its NLU intents file."""

    intents: frozenset[str] = frozenset()
    slots: frozenset[str] = frozenset()
    """Slot names the intents fill."""
    tables: frozenset[str] = frozenset()
    """Entity tables, usable as form slot kinds."""


def nlu_declarations(path: Path) -> tuple[NluDeclarations, list[FlowIssue]]:
    """Intents, their slot names and the entity tables of an NLU intents file (`intents:
    {NAME: {slots: {SLOT: KIND}}}`, `entities: {TABLE: ...}`); the rest of its format is
    checked by the understander."""
    document, issues = read_yaml(path)
    if document is None:
        return NluDeclarations(), issues
    data = document.data if isinstance(document.data, dict) else {}
    intents, tables = data.get("intents"), data.get("entities")
    if not isinstance(intents, dict):
        return NluDeclarations(), [*issues, FlowIssue(str(path), "no 'intents' mapping")]
    slots = {
        str(slot)
        for spec in intents.values()
        if isinstance(spec, dict) and isinstance(spec.get("slots"), dict)
        for slot in spec["slots"]
    }
    return NluDeclarations(
        frozenset(str(key) for key in intents),
        frozenset(slots),
        frozenset(str(key) for key in tables) if isinstance(tables, dict) else frozenset(),
    ), issues


def check_flow(path: Path) -> tuple[LoadedFlow | None, list[FlowIssue]]:
    """Load and validate a flow; returns it (None if unusable) and every issue found."""
    document, issues = read_yaml(path)
    if document is None:
        return None, issues
    flow, more = parse_model(Flow, document, node_key="nodes")
    issues += more
    if flow is None:
        return None, issues
    base = path.parent
    knowledge, more = _load_data(KnowledgeFile, base, flow.knowledge)
    issues += more
    hours, more = _load_data(HoursFile, base, flow.hours)
    issues += more
    announcements, more = _load_data(AnnouncementsFile, base, flow.announcements)
    issues += more
    nlu, nlu_path = NluDeclarations(), base / flow.nlu if flow.nlu else None
    if nlu_path is not None:
        nlu, more = nlu_declarations(nlu_path)
        issues += more
    intents = frozenset(flow.intents) | nlu.intents
    issues += cross_check(flow, document, knowledge, hours, intents, BUILTIN_KINDS | nlu.tables)
    services = frozenset(hours.services) if hours else frozenset()
    knowledge_file = str(base / flow.knowledge) if flow.knowledge else ""
    issues += check_texts(flow, document, knowledge, knowledge_file, services, nlu.slots)
    issues += check_keypad(flow, document)
    announcements_file = str(base / flow.announcements) if flow.announcements else ""
    others = [
        (knowledge_file, key, "answer", entry.answer)
        for key, entry in (knowledge.entries if knowledge else {}).items()
    ]
    others += [
        (announcements_file, key, "text", entry.text)
        for key, entry in (announcements.announcements if announcements else {}).items()
    ]
    issues += check_wording(flow, document, others)
    topics = intents | (knowledge.topics() if knowledge else set())
    issues += [
        FlowIssue(announcements_file, f"unknown topic '{topic}': the announcement will not be "
                  "said (topics are intents or knowledge topics)", node=key, field="topics",
                  severity="warning")
        for key, entry in (announcements.announcements if announcements else {}).items()
        for topic in entry.topics
        if topic not in topics
    ]
    provider = FileAnnouncements.of(announcements) if announcements else None
    loaded = LoadedFlow(path, flow, knowledge, hours, nlu_path, intents, provider)
    return loaded, issues


def errors_of(issues: list[FlowIssue]) -> list[FlowIssue]:
    """The issues that make a flow unusable (warnings left out)."""
    return [issue for issue in issues if issue.severity == "error"]


def load_flow(path: Path) -> LoadedFlow:
    """A usable flow (warnings allowed), or `FlowError` listing every error."""
    loaded, issues = check_flow(path)
    errors = errors_of(issues)
    if errors or loaded is None:
        raise FlowError(errors or [FlowIssue(str(path), "the flow cannot be loaded")])
    return loaded
