"""The intents file: what callers may want, with example phrasings, cue phrases and slots.

YAML layout (see `dialogs/flows/mairie.intents.yaml`)::

    threshold: 0.3            # optional; below it the answer is "not understood"
    entities:                 # optional tables: entity kind -> value -> synonyms
      subject:
        passeport: [passeport, passeports]
    intents:
      rendez_vous:
        description: prendre, déplacer ou annuler un rendez-vous
        slots: {date: date, time: time, subject: subject}   # slot name -> kind
        cues: [rendez-vous, rdv]                            # optional strong hints
        cue_weight: 0.2             # optional: what a cue adds to the score (0-1)
        outranks: [identite]        # optional: intents this one beats when its cue is said
        evidence: [date, time]      # optional: slots whose presence hints at this intent
        evidence_outranks: [identite]  # optional: intents it beats when ALL evidence is said
        examples:
          - je voudrais prendre rendez-vous
    out_of_scope:             # optional: what the town hall does not handle
      cues: [météo]           # (a plain list is taken as examples only)
      examples:
        - quel temps fera-t-il demain

Slot kinds are the built-in ones (`BUILTIN_KINDS`) or an `entities` table name. Synonyms and
cues are normalised like utterances (case, accents, elisions, hyphens do not matter).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dialogs.nlu.errors import IntentsFileError
from dialogs.nlu.extractors import EXTRACTORS
from dialogs.nlu.normalize import normalize
from dialogs.yaml_safe import safe_load

BUILTIN_KINDS = frozenset(EXTRACTORS)
DEFAULT_THRESHOLD = 0.3
DEFAULT_CUE_WEIGHT = 0.2


@dataclass(frozen=True, slots=True)
class IntentSpec:
    """One intent of the intents file."""

    name: str
    """Intent name returned to the flow ("rendez_vous")."""
    examples: tuple[str, ...]
    """Example phrasings as written in the file."""
    slots: Mapping[str, str] = field(default_factory=dict)
    """Slot name -> entity kind looked for when this intent is understood."""
    cues: tuple[str, ...] = ()
    """Normalised phrases that strongly hint at this intent."""
    evidence: tuple[str, ...] = ()
    """Slots (names from `slots`) whose presence in an utterance hints at this intent."""
    cue_weight: float = 0.2
    """Added to the intent's score (cosine units, 0-1) when one of its cues is said."""
    outranks: tuple[str, ...] = ()
    """Intents this one beats when one of its cues is said ("rendez-vous" beats "identite")."""
    description: str = ""
    """What the intent covers, for people editing the file."""
    evidence_outranks: tuple[str, ...] = ()
    """Intents this one beats when every one of its evidence slots is said ("voir quelqu'un
    pour mon passeport mardi à onze heures" is an appointment, not a passport question)."""


@dataclass(frozen=True, slots=True)
class IntentsModel:
    """Everything the understander learns from."""

    intents: tuple[IntentSpec, ...]
    """The intents, in file order."""
    tables: Mapping[str, Mapping[str, tuple[str, ...]]]
    """Entity kind -> value -> normalised synonyms."""
    out_of_scope: tuple[str, ...] = ()
    """Phrasings that must come back as not understood."""
    out_of_scope_cues: tuple[str, ...] = ()
    """Normalised phrases that hint at a request the town hall does not handle ("médecin")."""
    threshold: float = DEFAULT_THRESHOLD
    """Confidence under which the intent is None, between 0 and 1."""


def _fail(source: str, where: str, problem: str) -> IntentsFileError:
    return IntentsFileError(f"{source}: {where}: {problem}")


def _strings(value: Any, source: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _fail(source, where, "expected a list of strings")
    return tuple(item for item in value if item.strip())


def _tables(raw: Any, source: str) -> dict[str, dict[str, tuple[str, ...]]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(source, "entities", "expected a mapping of entity kind -> values")
    tables: dict[str, dict[str, tuple[str, ...]]] = {}
    for kind, values in raw.items():
        if not isinstance(kind, str) or not isinstance(values, dict) or not values:
            raise _fail(source, f"entities.{kind}", "expected a mapping of value -> synonyms")
        if kind in BUILTIN_KINDS:
            raise _fail(source, f"entities.{kind}", "is a built-in kind and cannot be a table")
        table: dict[str, tuple[str, ...]] = {}
        for value, synonyms in values.items():
            where = f"entities.{kind}.{value}"
            words = _strings(synonyms, source, where)
            table[str(value)] = tuple(dict.fromkeys(normalize(w) for w in (str(value), *words)))
        tables[kind] = table
    return tables


def _intent(name: Any, raw: Any, kinds: set[str], source: str) -> IntentSpec:
    if not isinstance(name, str) or not name.isidentifier():
        raise _fail(source, f"intents.{name}", "an intent name is a plain identifier")
    if not isinstance(raw, dict):
        raise _fail(source, f"intents.{name}", "expected a mapping with examples")
    unknown = set(raw) - {
        "description", "slots", "cues", "cue_weight", "outranks", "examples", "evidence",
        "evidence_outranks",
    }
    if unknown:
        raise _fail(source, f"intents.{name}", f"unknown keys {sorted(unknown)}")
    examples = _strings(raw.get("examples"), source, f"intents.{name}.examples")
    if not examples:
        raise _fail(source, f"intents.{name}.examples", "at least one example is needed")
    slots = raw.get("slots") or {}
    if not isinstance(slots, dict):
        raise _fail(source, f"intents.{name}.slots", "expected a mapping slot -> kind")
    for slot, kind in slots.items():
        if not isinstance(slot, str) or kind not in kinds:
            raise _fail(source, f"intents.{name}.slots.{slot}", f"unknown kind {kind!r}")
    cues = _cues(raw.get("cues"), source, f"intents.{name}.cues")
    evidence = _strings(raw.get("evidence"), source, f"intents.{name}.evidence")
    for slot in evidence:
        if slot not in slots:
            raise _fail(source, f"intents.{name}.evidence", f"{slot!r} is not one of its slots")
    description = str(raw.get("description") or "")
    where = f"intents.{name}.cue_weight"
    weight = _fraction(raw.get("cue_weight", DEFAULT_CUE_WEIGHT), source, where)
    outranks = _strings(raw.get("outranks"), source, f"intents.{name}.outranks")
    where = f"intents.{name}.evidence_outranks"
    evidence_outranks = _strings(raw.get("evidence_outranks"), source, where)
    if evidence_outranks and not evidence:
        raise _fail(source, where, "needs 'evidence' slots to be said")
    return IntentSpec(
        name, examples, dict(slots), cues, evidence, weight, outranks, description,
        evidence_outranks,
    )


def _fraction(value: Any, source: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise _fail(source, where, "expected a number between 0 and 1")
    return float(value)


def _cues(raw: Any, source: str, where: str) -> tuple[str, ...]:
    cues = (normalize(cue) for cue in _strings(raw, source, where))
    return tuple(dict.fromkeys(cue for cue in cues if cue))


def _out_of_scope(raw: Any, source: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(examples, cues) of the `out_of_scope` section: a list of examples, or a mapping
    with `examples` and `cues`."""
    if isinstance(raw, dict):
        unknown = set(raw) - {"examples", "cues"}
        if unknown:
            raise _fail(source, "out_of_scope", f"unknown keys {sorted(unknown)}")
        examples = _strings(raw.get("examples"), source, "out_of_scope.examples")
        return examples, _cues(raw.get("cues"), source, "out_of_scope.cues")
    return _strings(raw, source, "out_of_scope"), ()


def parse_intents(raw: Any, source: str = "<intents>") -> IntentsModel:
    """An `IntentsModel` from the already-parsed YAML mapping; `source` names it in errors."""
    if not isinstance(raw, dict):
        raise _fail(source, "top level", "expected a mapping with an 'intents' key")
    unknown = set(raw) - {"threshold", "entities", "intents", "out_of_scope", "language"}
    if unknown:
        raise _fail(source, "top level", f"unknown keys {sorted(unknown)}")
    threshold = _fraction(raw.get("threshold", DEFAULT_THRESHOLD), source, "threshold")
    tables = _tables(raw.get("entities"), source)
    intents_raw = raw.get("intents")
    if not isinstance(intents_raw, dict) or not intents_raw:
        raise _fail(source, "intents", "expected a non-empty mapping of intent -> definition")
    kinds = set(BUILTIN_KINDS) | set(tables)
    intents = tuple(_intent(name, body, kinds, source) for name, body in intents_raw.items())
    for intent in intents:
        for key, others in (("outranks", intent.outranks),
                            ("evidence_outranks", intent.evidence_outranks)):
            for other in others:
                if other not in intents_raw or other == intent.name:
                    where = f"intents.{intent.name}.{key}"
                    raise _fail(source, where, f"{other!r}: no such intent")
    out_of_scope, out_of_scope_cues = _out_of_scope(raw.get("out_of_scope"), source)
    return IntentsModel(intents, tables, out_of_scope, out_of_scope_cues, threshold)


def load_yaml(path: Path) -> Any:
    """The parsed YAML document at `path`; IntentsFileError when unreadable or malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise IntentsFileError(f"{path}: cannot read: {err}") from err
    return parse_yaml_text(text, str(path))


def parse_yaml_text(text: str, source: str = "<intents>") -> Any:
    """The parsed YAML document in `text`; IntentsFileError when malformed."""
    try:
        return safe_load(text)  # no anchors or aliases: walking it stays linear
    except yaml.YAMLError as err:
        raise IntentsFileError(f"{source}: not valid YAML: {err}") from err


def parse_intents_text(text: str, source: str = "<intents>") -> IntentsModel:
    """An `IntentsModel` from the text of an intents file (a version kept in a database)."""
    return parse_intents(parse_yaml_text(text, source), source)


def load_intents(path: str | Path) -> IntentsModel:
    """The intents file at `path`."""
    path = Path(path)
    return parse_intents(load_yaml(path), str(path))


def intents_path_of_flow(flow_path: str | Path) -> Path:
    """The intents file named by a flow file's `nlu` key, relative to the flow file."""
    flow_path = Path(flow_path)
    raw = load_yaml(flow_path)
    if not isinstance(raw, dict) or not isinstance(raw.get("nlu"), str):
        raise IntentsFileError(f"{flow_path}: no 'nlu' key naming the intents file")
    name: str = raw["nlu"]
    return (flow_path.parent / name).resolve()
