"""YAML from untrusted text (flow files edited in the back office) without alias bombs.

A YAML alias (`*name`) repeats the node its anchor (`&name`) marks; nine nested lists of nine
aliases are 9**9 values written in under a kilobyte, and anything that walks the document
(line map, pydantic, a comparison) then runs for minutes and takes gigabytes. Flow files have
no use for anchors or aliases, so `StrictLoader` refuses both as soon as the parser meets
them, before any node is built, and a text longer than `MAX_YAML_CHARS` is refused before it
is parsed. Both refusals are `UnsafeYaml`, a `yaml.MarkedYAMLError` (line and column in its
mark), so every `except yaml.YAMLError` already in place reports them as invalid YAML.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent

MAX_YAML_CHARS = 1_000_000
"""Characters in one YAML text (a flow file); a longer text is refused unparsed."""

ALIAS_PROBLEM = ("YAML aliases (*name) are not allowed in flow files: write the value out "
                 "in full")
ANCHOR_PROBLEM = ("YAML anchors (&name) are not allowed in flow files: write the value out "
                  "in full where it is needed")


class UnsafeYaml(yaml.MarkedYAMLError):
    """A YAML text refused before it is built: it holds an anchor or alias, or is too long."""

    code = "unsafe_yaml"


class StrictLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that raises `UnsafeYaml` at the first anchor or alias."""

    def check_event(self, *choices: Any) -> bool:
        found: bool = super().check_event(*choices)
        if self.current_event is not None:  # the next event, parsed but not yet taken
            refuse_event(self.current_event)
        return found


def refuse_event(event: yaml.Event) -> None:
    """`UnsafeYaml` when a parser event is an alias or carries an anchor."""
    start = event.start_mark  # a yaml.Mark, or libyaml's own mark type from the C parser
    mark = None if start is None else yaml.Mark(
        getattr(start, "name", "<text>"), start.index, start.line, start.column, None, 0)
    if isinstance(event, AliasEvent):
        raise UnsafeYaml(problem=ALIAS_PROBLEM, problem_mark=mark)
    if isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor is not None:
        raise UnsafeYaml(problem=ANCHOR_PROBLEM, problem_mark=mark)


def refuse_long(text: str) -> None:
    """`UnsafeYaml` when the text is longer than `MAX_YAML_CHARS`."""
    if len(text) > MAX_YAML_CHARS:
        raise UnsafeYaml(problem=f"a flow file is limited to {MAX_YAML_CHARS} characters "
                                 f"(this one has {len(text)})")


_FastLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it: events in C, checked here in Python."""


def check_text(text: str) -> None:
    """`UnsafeYaml` for a text too long or holding an anchor or alias, any other
    `yaml.YAMLError` for broken syntax; reads parser events only (linear in the text)."""
    refuse_long(text)
    for event in yaml.parse(text, Loader=_FastLoader):
        refuse_event(event)


def safe_load(text: str) -> Any:
    """`yaml.safe_load` of a text that must pass `check_text` (checked first)."""
    check_text(text)
    return yaml.load(text, Loader=_FastLoader)  # a SafeLoader (C or Python)


def compose(text: str) -> yaml.Node | None:
    """`yaml.compose` (node tree with marks) of a text that must pass `check_text`."""
    refuse_long(text)
    node: yaml.Node | None = yaml.compose(text, Loader=StrictLoader)
    return node
