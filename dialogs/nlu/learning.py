"""Turning phrases callers said into examples of an intents file (a new version of its text).

`add_examples(text, intent, phrases)` returns the intents YAML text with the phrases appended
to that intent's `examples`; `add_out_of_scope(text, phrases)` does the same for the
`out_of_scope` examples ("not understood, on purpose"). The edit is made on the text, not by
re-dumping the YAML: the position of the examples list is found with PyYAML's node marks and
the new items are written at its end in the list's own style (block "- ..." lines at the same
indentation, or ", ..." inside a flow "[...]"), so comments, key order and quoting everywhere
else stay byte for byte. The result is parsed again and must hold exactly the old document
plus the new examples, or LearningError is raised.

Phrases are cleaned (whitespace collapsed, control characters and the placeholders that
stored transcripts put in place of personal data, "[téléphone]", dropped) and skipped, with a
reason, when their normal form is empty, already an example of this intent, an example of
another intent or out-of-scope, a held-out evaluation line, or longer than `MAX_PHRASE`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from dialogs.nlu.errors import IntentsFileError, NluError
from dialogs.nlu.grouping import OUT_OF_SCOPE_TARGET
from dialogs.nlu.intents import parse_intents, parse_yaml_text
from dialogs.nlu.normalize import normalize
from dialogs.yaml_safe import compose

MAX_PHRASE = 300
"""Longest phrase taken as an example, in characters."""
_PLACEHOLDER_RE = re.compile(r"\[[^\[\]]{1,24}\]")
"""What stored transcripts put in place of personal data ("[téléphone]", "[e-mail]")."""


class LearningError(NluError):
    """A change to an intents file cannot be made (unknown intent, unsafe edit...)."""

    code = "learning_failed"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A phrase that was not added, and why."""

    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Addition:
    """The new version of an intents file and what went into it."""

    text: str
    """The new intents YAML text (the old one when nothing was added)."""
    target: str
    """The intent the phrases went to, or `OUT_OF_SCOPE_TARGET`."""
    added: tuple[str, ...]
    """The phrases added as examples, cleaned, in the order given."""
    skipped: tuple[Skipped, ...]
    """The phrases left out, with the reason."""


def _clean(phrase: str) -> str:
    printable = "".join(ch if ch.isprintable() else " " for ch in phrase)
    return " ".join(_PLACEHOLDER_RE.sub(" ", printable).split())


def key_node(mapping: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node of `key` in a composed YAML mapping; None when absent or no mapping."""
    if not isinstance(mapping, yaml.MappingNode):
        return None
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found: yaml.Node = value_node
            return found
    return None


def _examples_of(raw: dict[str, Any], target: str) -> list[str]:
    """The examples list of `target` inside the parsed document (created if missing)."""
    if target == OUT_OF_SCOPE_TARGET:
        section = raw.get("out_of_scope")
        if isinstance(section, list):
            return section
        if section is None:
            section = raw["out_of_scope"] = {}
        examples = section.setdefault("examples", [])
        if examples is None:
            examples = section["examples"] = []
        return _list(examples)
    return _list(raw["intents"][target]["examples"])


def _list(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise LearningError("the examples to extend are not a list", code="unsafe_edit")
    return value


def _render(phrase: str, flow: bool) -> str:
    dumped = yaml.safe_dump(
        [phrase], allow_unicode=True, default_flow_style=flow, width=1_000_000
    ).strip()
    return dumped[1:-1].strip() if flow else dumped[2:]


def _insert(text: str, target: str, phrases: Sequence[str]) -> str:
    """`text` with `phrases` written at the end of `target`'s examples list."""
    root = compose(text)
    if target == OUT_OF_SCOPE_TARGET:
        section = key_node(root, "out_of_scope")
        if section is None:
            items = "".join(f"  - {_render(p, False)}\n" for p in phrases)
            body = text if text.endswith("\n") or not text else text + "\n"
            return f"{body}out_of_scope:\n  examples:\n{items}"
        node = section if isinstance(section, yaml.SequenceNode) else key_node(section, "examples")
        if node is None and isinstance(section, yaml.MappingNode):
            indent = " " * section.start_mark.column
            lines = text.splitlines(keepends=True)
            last = section.value[-1][1].end_mark if section.value else section.end_mark
            at = last.line + (1 if last.column > 0 else 0)
            block = f"{indent}examples:\n" + "".join(
                f"{indent}- {_render(p, False)}\n" for p in phrases
            )
            return "".join(lines[:at]) + block + "".join(lines[at:])
    else:
        node = key_node(key_node(key_node(root, "intents"), target), "examples")
    if not isinstance(node, yaml.SequenceNode):
        raise LearningError(f"{target}: no examples list to extend", code="unsafe_edit")
    if node.flow_style:
        close = node.end_mark.index - 1
        if text[close] != "]":
            raise LearningError(f"{target}: unexpected flow list", code="unsafe_edit")
        inner = text[node.start_mark.index + 1 : close].rstrip().rstrip(",")
        rendered = ", ".join(_render(p, True) for p in phrases)
        joined = f"{inner}, {rendered}" if inner.strip() else rendered
        return text[: node.start_mark.index + 1] + joined + text[close:]
    last = node.value[-1].end_mark
    at = last.line + (1 if last.column > 0 else 0)
    lines = text.splitlines(keepends=True)
    if at > 0 and at <= len(lines) and not lines[at - 1].endswith("\n"):
        lines[at - 1] += "\n"
    indent = " " * node.start_mark.column
    block = "".join(f"{indent}- {_render(p, False)}\n" for p in phrases)
    return "".join(lines[:at]) + block + "".join(lines[at:])


def _known(raw: dict[str, Any]) -> dict[str, str]:
    """Normalised example -> the intent (or `OUT_OF_SCOPE_TARGET`) it belongs to."""
    known: dict[str, str] = {}
    section = raw.get("out_of_scope")
    outside = section if isinstance(section, list) else (section or {}).get("examples") or []
    for example in outside:
        known.setdefault(normalize(str(example)), OUT_OF_SCOPE_TARGET)
    for name, body in raw["intents"].items():
        for example in body.get("examples") or []:
            known.setdefault(normalize(str(example)), name)
    return known


def learn_examples(
    intents_text: str,
    target: str,
    phrases: Iterable[str],
    *,
    held_out: Iterable[str] = (),
    source: str = "<intents>",
) -> Addition:
    """Add `phrases` as examples of intent `target` (or `OUT_OF_SCOPE_TARGET`); see module
    docstring. IntentsFileError when the text is not a valid intents file, LearningError
    when `target` is not one of its intents."""
    raw = parse_yaml_text(intents_text, source)
    parse_intents(raw, source)  # a broken file is refused before any edit
    if target != OUT_OF_SCOPE_TARGET and target not in raw["intents"]:
        names = ", ".join(sorted(raw["intents"]))
        raise LearningError(
            f"{source}: no intent {target!r} (intents: {names})", code="unknown_intent"
        )
    added, skipped = select_phrases(raw, target, phrases, held_out)
    if not added:
        return Addition(intents_text, target, (), tuple(skipped))
    new_text = _insert(intents_text, target, added)
    expected = copy.deepcopy(raw)
    _examples_of(expected, target).extend(added)
    return Addition(_checked(new_text, expected, source), target, tuple(added),
                    tuple(skipped))


def select_phrases(
    raw: dict[str, Any], target: str, phrases: Iterable[str], held_out: Iterable[str]
) -> tuple[list[str], list[Skipped]]:
    """The phrases (cleaned) that may become examples of `target` in the parsed intents
    document `raw`, and those skipped with the reason (see module docstring)."""
    known = _known(raw)
    excluded = {normalize(text) for text in held_out}
    added: list[str] = []
    skipped: list[Skipped] = []
    for phrase in phrases:
        text = _clean(phrase) if isinstance(phrase, str) else ""
        key = normalize(text)
        reason = (
            "nothing to learn in it" if not key
            else f"longer than {MAX_PHRASE} characters" if len(text) > MAX_PHRASE
            else "a held-out evaluation line" if key in excluded
            else "already an example of it" if known.get(key) == target
            else f"already an example of {known[key]}" if key in known
            else ""
        )
        if reason:
            skipped.append(Skipped(str(phrase), reason))
            continue
        known[key] = target
        added.append(text)
    return added, skipped


def _checked(new_text: str, expected: dict[str, Any], source: str) -> str:
    """`new_text` when it parses to `expected`, a valid intents file; else LearningError."""
    try:
        if parse_yaml_text(new_text, source) != expected:
            raise LearningError(f"{source}: the edit changed more than the examples",
                                code="unsafe_edit")
        parse_intents(expected, source)
    except IntentsFileError as err:
        raise LearningError(f"{source}: the edit broke the file: {err}",
                            code="unsafe_edit") from err
    return new_text


def add_examples(intents_text: str, intent: str, phrases: Iterable[str]) -> str:
    """The intents text with `phrases` added as examples of `intent` (duplicates skipped)."""
    if intent == OUT_OF_SCOPE_TARGET:
        raise LearningError("use add_out_of_scope for out-of-scope phrases",
                            code="unknown_intent")
    return learn_examples(intents_text, intent, phrases).text


def add_out_of_scope(intents_text: str, phrases: Iterable[str]) -> str:
    """The intents text with `phrases` added as out-of-scope examples (not understood on
    purpose), duplicates skipped."""
    return learn_examples(intents_text, OUT_OF_SCOPE_TARGET, phrases).text
