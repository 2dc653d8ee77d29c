"""A new intent made of phrases callers said (the learning loop's "new answer" action).

`propose_new_intent(intents_text, name, description, phrases, eval_set)` adds intent `name`
with the phrases as its examples to the intents YAML text (comments and order kept, see
`dialogs.yaml_edit`), leaving out the phrases `select_phrases` skips (held-out lines,
examples of other intents...), and checks held-out precision against the old text: the
`Proposal` is accepted only when neither held-out accuracy dropped. `intent_name(title)`
turns an admin's title ("Cartes grises") into an intent name ("cartes_grises").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from dialogs.nlu.evalset import EvalSet
from dialogs.nlu.grouping import OUT_OF_SCOPE_TARGET
from dialogs.nlu.intents import parse_intents, parse_yaml_text
from dialogs.nlu.learning import Addition, LearningError, select_phrases
from dialogs.nlu.precision import check_precision
from dialogs.nlu.proposal import Proposal
from dialogs.yaml_edit import YamlEditError, add_key

MAX_NAME = 40
"""Longest intent name made from a title, characters."""


def intent_name(title: str) -> str:
    """Lowercase ASCII words joined by "_" ("Cartes grises" -> "cartes_grises");
    LearningError when nothing is left."""
    plain = unicodedata.normalize("NFKD", title.lower())
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    name = "_".join(re.findall(r"[a-z0-9]+", plain))[:MAX_NAME].strip("_")
    if not name or not name[0].isalpha():
        raise LearningError(f"no intent name can be made from {title!r}: start with a letter",
                            code="invalid_name")
    return name


def propose_new_intent(
    intents_text: str,
    name: str,
    description: str,
    phrases: Iterable[str],
    eval_set: EvalSet,
    *,
    source: str = "<intents>",
) -> Proposal:
    """Intent `name` with `phrases` as examples, checked on `eval_set`; LearningError when
    the name is taken or the file cannot be edited safely."""
    raw = parse_yaml_text(intents_text, source)
    parse_intents(raw, source)
    if name in raw["intents"] or name == OUT_OF_SCOPE_TARGET:
        raise LearningError(f"{source}: intent {name!r} already exists", code="intent_exists")
    added, skipped = select_phrases(raw, name, phrases, eval_set.held_out())
    if not added:
        return Proposal(Addition(intents_text, name, (), tuple(skipped)), None)
    body = {"description": description, "examples": added}
    try:
        new_text = add_key(intents_text, ["intents"], name, body)
    except YamlEditError as err:
        raise LearningError(f"{source}: {err}", code="unsafe_edit") from err
    parse_intents(parse_yaml_text(new_text, source), source)
    report = check_precision(intents_text, new_text, eval_set)
    return Proposal(Addition(new_text, name, tuple(added), tuple(skipped)), report)
