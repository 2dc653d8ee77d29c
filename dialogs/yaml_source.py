"""Reading admin-edited YAML files with the line of every value, for error messages.

Plain YAML 1.1 would turn `yes`/`no`/`on`/`off` into booleans and `2026-05-12` into dates;
here only `true`/`false` are booleans and dates stay text (the models parse them), so that
`reply: yes` means the word "yes". A duplicated key (such as a node id written twice) is an
error instead of silently keeping the last one. Anchors, aliases and texts over
`dialogs.yaml_safe.MAX_YAML_CHARS` are refused before anything is built (see `yaml_safe`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dialogs.errors import FlowIssue
from dialogs.yaml_safe import StrictLoader, refuse_long

Location = tuple[str | int, ...]


class _Loader(StrictLoader):
    """SafeLoader without the surprising implicit types, anchors or aliases."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """Parsed data plus the 1-based line of each location (tuple of keys and indexes)."""

    path: str
    data: Any
    lines: Mapping[Location, int]

    def line_of(self, location: Location) -> int | None:
        """Line of the deepest known prefix of `location` (unknown parts are skipped, which
        also skips the tags pydantic inserts for tagged unions)."""
        current: Location = ()
        line = self.lines.get(current)
        for part in location:
            candidate = (*current, part)
            if candidate in self.lines:
                current = candidate
                line = self.lines[candidate]
        return line


def read_yaml(path: Path) -> tuple[YamlDocument | None, list[FlowIssue]]:
    """Parse a YAML file; on failure return the issues (missing file, syntax with line)."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        return None, [FlowIssue(name, f"cannot read the file: {err.strerror or err}")]
    except UnicodeDecodeError as err:
        return None, [FlowIssue(name, f"the file is not UTF-8 text: {err.reason}")]
    try:
        refuse_long(text)
        root = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        # the construct that is broken starts at the context mark (an unclosed bracket...)
        mark = err.context_mark or err.problem_mark
        last_line = max(1, len(text.splitlines()))  # "end of stream" is past the last line
        line = min(mark.line + 1, last_line) if mark is not None else None
        problem = " ".join(str(part) for part in (err.context, err.problem) if part)
        if err.problem_mark is not None and err.problem_mark.line + 1 != line:
            problem += f" (noticed at line {err.problem_mark.line + 1})"
        if "mapping values are not allowed" in problem:
            problem += ": a text containing ' : ' must be quoted or written after '>-'"
        return None, [FlowIssue(name, f"invalid YAML: {problem}", line=line)]
    except yaml.YAMLError as err:
        return None, [FlowIssue(name, f"invalid YAML: {err}")]
    lines: dict[Location, int] = {}
    issues: list[FlowIssue] = []
    if root is not None:
        _walk(root, (), lines, issues, name)
    return YamlDocument(name, data, lines), issues


def _walk(
    node: yaml.Node,
    location: Location,
    lines: dict[Location, int],
    issues: list[FlowIssue],
    name: str,
) -> None:
    lines.setdefault(location, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                issues.append(
                    FlowIssue(name, f"key '{key}' appears twice", line=key_node.start_mark.line + 1)
                )
            seen.add(key)
            lines[(*location, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*location, key), lines, issues, name)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*location, index), lines, issues, name)
