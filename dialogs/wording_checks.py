"""Plain-language warnings about what callers hear: texts longer than the flow's
`wording.max_words` words, and abbreviations ('CNI', 'PLU') said without their expansion.

An all-capital word of two letters or more is fine when the flow allows it
(`wording.allowed`), when the text also says the expansion the flow gives for it
(`wording.abbreviations`), or when neighbouring words spell it with their initials
("Agence nationale des titres sécurisés (ANTS)"). Every problem is a `FlowIssue` of severity
"warning".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from dialogs.errors import FlowIssue
from dialogs.flow_model import AskNode, Flow, MenuNode
from dialogs.flow_settings import Wording
from dialogs.prompt_checks import node_texts
from dialogs.yaml_source import Location, YamlDocument

_SMALL_WORDS = frozenset(
    {"a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "pour", "sur"}
)
_NOT_SAID = frozenset({"reason", "set"})
"""Node fields that are not spoken (shown to agents, stored)."""


def word_count(text: str) -> int:
    """Words of a text, punctuation left out ('Quel jour ?' has 2)."""
    return sum(1 for token in text.split() if any(char.isalnum() for char in token))


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def abbreviations(text: str) -> list[str]:
    """All-capital words of two letters or more ('ANTS' in "l'ANTS")."""
    found = []
    for token in re.findall(r"\w+", text):
        if len(token) >= 2 and token.isalpha() and token.isupper() and token not in found:
            found.append(token)
    return found


def _spelled_by_initials(abbreviation: str, text: str) -> bool:
    words = [_plain(word) for word in re.findall(r"\w+", text)]
    initials = "".join(word[0] for word in words if word not in _SMALL_WORDS and word.isalpha()
                       and word != abbreviation.lower())
    return _plain(abbreviation) in initials


def unexplained(text: str, wording: Wording) -> list[str]:
    """The abbreviations of `text` a caller may not understand."""
    plain = _plain(text)
    result = []
    for token in abbreviations(text):
        if token in wording.allowed:
            continue
        expansion = wording.abbreviations.get(token)
        if expansion is not None and _plain(expansion) in plain:
            continue
        if _spelled_by_initials(token, text):
            continue
        result.append(token)
    return result


def problems(text: str, wording: Wording) -> Iterator[str]:
    """The wording warnings of one text."""
    count = word_count(text)
    if count > wording.max_words:
        yield (f"text of {count} words (more than {wording.max_words}): callers lose track, "
               "split it or shorten it")
    for token in unexplained(text, wording):
        yield (f"abbreviation '{token}' without its expansion: say it in full, or list it in "
               "wording.abbreviations (with its expansion) or wording.allowed")


def flow_texts(flow: Flow) -> Iterator[tuple[Location, str]]:
    """(location in the flow file, text) of everything the flow says."""
    for node_id, node in flow.nodes.items():
        for location, text in node_texts(node):
            if location[0] not in _NOT_SAID:
                yield ("nodes", node_id, *location), text
        if isinstance(node, AskNode | MenuNode):
            key = "routes" if isinstance(node, AskNode) else "choices"
            choices = node.routes if isinstance(node, AskNode) else node.choices
            for index, choice in enumerate(choices):
                if choice.label:
                    yield ("nodes", node_id, key, index, "label"), choice.label
    for name in ("repeat", "help", "agent", "goodbye", "message"):
        handler = getattr(flow.handlers, name)
        said = [] if handler is None or handler.say is None else handler.say
        if isinstance(said, str):
            yield ("global", name, "say"), said
        else:
            yield from ((("global", name, "say", index), text) for index, text in enumerate(said))
    for name in ("no_input", "no_match", "misheard"):
        yield ("fallback", name), getattr(flow.fallback, name)
    access = flow.accessibility
    for name in ("slower", "normal", "clearer"):
        request = getattr(access, name)
        if request is not None:
            yield ("accessibility", name, "say"), request.say


def check_wording(
    flow: Flow, document: YamlDocument, others: list[tuple[str, str, str, str]]
) -> list[FlowIssue]:
    """Warnings for the flow's texts and `others`: (file, entry id, field, text) of the
    knowledge base answers and announcements."""
    issues = []
    for location, text in flow_texts(flow):
        node = str(location[1]) if location[0] == "nodes" else None
        inner = location[2:] if node is not None else location
        for message in problems(text, flow.wording):
            issues.append(FlowIssue(
                document.path, message, document.line_of(location), node,
                ".".join(str(part) for part in inner), severity="warning",
            ))
    for file, entry, field, text in others:
        for message in problems(text, flow.wording):
            issues.append(FlowIssue(file, message, node=entry, field=field, severity="warning"))
    return issues
