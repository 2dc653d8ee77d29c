"""Additions to a YAML text that keep everything else byte for byte (comments, order, quoting).

`add_key(text, path, key, value)` writes `key: value` at the end of the block mapping found at
`path` (a list of mapping keys from the top); `add_item(text, path, item)` writes `- item` at
the end of the block sequence found at `path`. The position comes from PyYAML's node marks;
the new lines take the indentation of their siblings; a mapping value is written in block
style, a sequence item in flow style (`- {intent: x, goto: y}`). The result is parsed again
and must equal the old document plus the addition, else `YamlEditError` is raised: these
edits never change anything else. A text with YAML anchors or aliases is refused (see
`dialogs.yaml_safe`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import yaml

from dialogs.errors import DialogsError
from dialogs.nlu.learning import key_node
from dialogs.yaml_safe import compose, safe_load


class YamlEditError(DialogsError):
    """The addition cannot be made safely (path missing, unexpected style, key taken)."""

    code = "yaml_edit_failed"


class _Dumper(yaml.SafeDumper):
    """Indents a list under its key, as the project's YAML files do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _node_at(text: str, path: Sequence[str]) -> yaml.Node:
    try:
        node: yaml.Node | None = compose(text)
    except yaml.YAMLError as err:
        raise YamlEditError(f"not valid YAML: {err}") from err
    for key in path:
        node = key_node(node, key)
    if node is None:
        raise YamlEditError(f"nothing at {'.'.join(path)}")
    return node


def _end_of(node: yaml.Node) -> yaml.Mark:
    """Where a node's own text ends: a block collection's end mark lies past the comments
    and blank lines that follow it, so take its last scalar's (or flow collection's)."""
    while not node.flow_style if isinstance(node, yaml.CollectionNode) else False:
        if isinstance(node, yaml.MappingNode) and node.value:
            node = node.value[-1][1]
        elif isinstance(node, yaml.SequenceNode) and node.value:
            node = node.value[-1]
        else:
            break
    mark: yaml.Mark = node.end_mark
    return mark


def _lines_after(text: str, end: yaml.Mark) -> tuple[list[str], int]:
    """The text's lines (a final newline ensured) and the line index after `end`."""
    lines = text.splitlines(keepends=True)
    at = end.line + (1 if end.column > 0 else 0)
    if 0 < at <= len(lines) and not lines[at - 1].endswith("\n"):
        lines[at - 1] += "\n"
    return lines, at


def _parsed(text: str) -> Any:
    try:
        return safe_load(text)
    except yaml.YAMLError as err:
        raise YamlEditError(f"the edit broke the YAML: {err}") from err


def _at(document: Any, path: Sequence[str]) -> Any:
    for key in path:
        document = document[key]
    return document


def add_key(text: str, path: Sequence[str], key: str, value: Any) -> str:
    """`text` with `key: value` added at the end of the mapping at `path`."""
    node = _node_at(text, path)
    if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
        raise YamlEditError(f"{'.'.join(path)} is not a block mapping")
    if key_node(node, key) is not None:
        raise YamlEditError(f"{'.'.join(path)} already has {key!r}", code="key_taken")
    indent = " " * node.value[0][0].start_mark.column
    dumped = yaml.dump({key: value}, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                       width=100)
    block = "".join(f"{indent}{line}\n" if line else "\n" for line in dumped.splitlines())
    lines, at = _lines_after(text, _end_of(node))
    new_text = "".join(lines[:at]) + block + "".join(lines[at:])
    expected = copy.deepcopy(_parsed(text))
    _at(expected, path)[key] = value
    if _parsed(new_text) != expected:
        raise YamlEditError(f"adding {key!r} to {'.'.join(path)} changed more than that")
    return new_text


def add_item(text: str, path: Sequence[str], item: Any) -> str:
    """`text` with `item` added at the end of the sequence at `path`."""
    node = _node_at(text, path)
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
        raise YamlEditError(f"{'.'.join(path)} is not a block list")
    first = node.value[0].start_mark
    dash = text.rfind("-", 0, first.index)
    indent = " " * (dash - text.rfind("\n", 0, dash) - 1)
    dumped = yaml.safe_dump([item], allow_unicode=True, default_flow_style=True,
                            sort_keys=False, width=1_000_000).strip()
    lines, at = _lines_after(text, _end_of(node))
    new_text = "".join(lines[:at]) + f"{indent}- {dumped[1:-1]}\n" + "".join(lines[at:])
    expected = copy.deepcopy(_parsed(text))
    _at(expected, path).append(item)
    if _parsed(new_text) != expected:
        raise YamlEditError(f"adding an item to {'.'.join(path)} changed more than that")
    return new_text
