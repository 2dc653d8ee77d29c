"""Conversation tests: expected conversations written next to a flow (`NAME.tests.yaml`),
played through the engine, compared turn by turn.

File format (YAML):
    flow: mairie.yaml              # the flow, relative to this file
    now: 2026-05-12T10:00:00       # default clock of the conversations (local time)
    conversations:
      - name: horaires à la voix
        now: ...                   # optional, this conversation's clock
        booked: [etat_civil@2026-05-13T10:00]   # appointment slots already taken
        call_id: appel-7                   # optional, the call's id (feedback sampling)
        greeting: {node: menu_principal, say: 30 jours}   # optional checks of the greeting
        turns:
          - caller: quels sont vos horaires      # speech; or `dtmf: "1"`; or `silence: true`
            intent: horaires                     # checks, all optional:
            node: autre_demande                  # node, intent (null: not understood),
            action: listen                       # action, say (text(s) expected in what is
            say: 8 heures 30                     # said, any case), slots (subset),
            slots: {}                            # transfer ({queue, reason}, null: none),
            pace: 0.8                            # speech pace, feedback: 4 (score given)

Before each turn the call state goes through JSON and back, so every conversation also checks
that a call can be saved and resumed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dialogs.engine import Engine
from dialogs.errors import FlowError
from dialogs.events import CallerInput, Digits, NoInput, Utterance
from dialogs.hours import HoursFile
from dialogs.loader import LoadedFlow, load_flow, parse_model
from dialogs.services import InMemoryServices
from dialogs.simulator import parse_booked
from dialogs.state import CallState, Turn
from dialogs.transcript import turn_view
from dialogs.understanding import Understander
from dialogs.yaml_source import read_yaml


class Expect(BaseModel):
    """What a turn should produce; only the fields written are checked."""

    model_config = ConfigDict(extra="forbid")
    node: str | None = None
    intent: str | None = None
    action: str | None = None
    say: str | list[str] | None = None
    slots: dict[str, str] | None = None
    transfer: dict[str, str] | None = None
    pace: float | None = None
    feedback: int | None = None


class Step(Expect):
    """One caller input and its expectations."""

    caller: str | None = Field(default=None, description="What the caller says.")
    dtmf: str | None = Field(default=None, description="Keypad digits pressed.")
    silence: bool = Field(default=False, description="The caller says nothing.")

    @model_validator(mode="after")
    def _one_input(self) -> Step:
        given = (self.caller is not None) + (self.dtmf is not None) + self.silence
        if given != 1:
            raise ValueError("give exactly one of 'caller', 'dtmf', 'silence: true'")
        return self

    def caller_input(self) -> CallerInput:
        if self.caller is not None:
            return Utterance(self.caller)
        if self.dtmf is not None:
            return Digits(self.dtmf)
        return NoInput()

    def label(self) -> str:
        if self.caller is not None:
            return f"« {self.caller} »"
        return f"dtmf:{self.dtmf}" if self.dtmf is not None else "(silence)"


class Conversation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    now: datetime | None = None
    booked: list[str] = Field(default_factory=list, description="SERVICE@YYYY-MM-DDTHH:MM")
    call_id: str = Field(default="", description="The call's id (chooses feedback sampling).")
    greeting: Expect | None = None
    turns: list[Step] = Field(min_length=1)


class TestsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    flow: str
    now: datetime | None = None
    conversations: list[Conversation] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Suite:
    path: Path
    tests: TestsFile
    loaded: LoadedFlow


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    failures: tuple[str, ...]
    """Empty when the conversation went as expected."""

    @property
    def passed(self) -> bool:
        return not self.failures


UnderstanderFactory = Callable[[LoadedFlow], Understander]


def load_suite(path: Path) -> Suite:
    """Read a tests file and load its flow; `FlowError` lists every problem."""
    document, issues = read_yaml(path)
    if document is None:
        raise FlowError(issues)
    tests, more = parse_model(TestsFile, document)
    if tests is None or issues or more:
        raise FlowError(issues + more)
    return Suite(path, tests, load_flow(path.parent / tests.flow))


def run_conversation(
    suite: Suite, conversation: Conversation, understander: Understander
) -> Outcome:
    """Play one conversation; the differences found."""
    loaded = suite.loaded
    now = conversation.now or suite.tests.now or datetime(2026, 5, 12, 10, 0)
    try:
        taken = [parse_booked(item) for item in conversation.booked]
    except ValueError as err:
        return Outcome(conversation.name, (f"bad 'booked' entry: {err}",))
    services = InMemoryServices.with_booked(loaded.hours or HoursFile(services={}), taken)
    engine = Engine(loaded, understander, services)
    state, _ = engine.start(now, conversation.call_id)
    failures: list[str] = []
    if conversation.greeting is not None:
        failures += _compare("greeting", conversation.greeting, state.transcript[-1])
    for number, step in enumerate(conversation.turns, start=1):
        if state.ended:
            failures.append(f"turn {number} {step.label()}: the call had already ended")
            break
        state = CallState.model_validate_json(state.model_dump_json())
        state, _ = engine.step(state, step.caller_input(), now)
        failures += _compare(f"turn {number} {step.label()}", step, state.transcript[-1])
    return Outcome(conversation.name, tuple(failures))


def run_suite(suite: Suite, make_understander: UnderstanderFactory) -> list[Outcome]:
    understander = make_understander(suite.loaded)
    return [run_conversation(suite, c, understander) for c in suite.tests.conversations]


def _compare(where: str, expect: Expect, turn: Turn) -> list[str]:
    got = turn_view(turn)
    wrong: list[str] = []
    checked = expect.model_fields_set
    for key in ("node", "intent", "action", "pace", "feedback"):
        if key in checked and getattr(expect, key) != got[key]:
            wrong.append(f"{key}: expected {getattr(expect, key)!r}, got {got[key]!r}")
    if "say" in checked and expect.say is not None:
        said = " ".join(got["say"]).lower()
        wanted = [expect.say] if isinstance(expect.say, str) else expect.say
        for text in wanted:
            if text.lower() not in said:
                wrong.append(f"say: expected to contain {text!r}")
    if "slots" in checked and expect.slots is not None:
        for key, value in expect.slots.items():
            if got["slots"].get(key) != value:
                wrong.append(f"slot {key}: expected {value!r}, got {got['slots'].get(key)!r}")
    if "transfer" in checked:
        wrong += _compare_transfer(expect.transfer, got["transfer"])
    if not wrong:
        return []
    said = " | ".join(got["say"])
    detail = "\n    ".join(wrong)
    return [f"{where}:\n    {detail}\n    (node {got['node']!r}, "
            f"intent {got['intent']!r}, said: {said})"]


def _compare_transfer(expected: dict[str, str] | None, got: Any) -> list[str]:
    if expected is None:
        return [] if got is None else [f"transfer: expected none, got {got}"]
    if got is None:
        return [f"transfer: expected {expected}, got none"]
    return [
        f"transfer {key}: expected {value!r}, got {got.get(key)!r}"
        for key, value in expected.items()
        if (key == "queue" and got.get(key) != value)
        or (key == "reason" and value.lower() not in str(got.get(key, "")).lower())
    ]


def tests_file_for(path: Path) -> list[Path]:
    """Tests files for a path: itself if it is one, `STEM.tests.yaml` next to a flow file, or
    every `*.tests.yaml` in a directory."""
    if path.is_dir():
        return sorted(path.glob("*.tests.yaml"))
    if path.name.endswith(".tests.yaml"):
        return [path]
    return [path.with_name(path.name.removesuffix(".yaml") + ".tests.yaml")]

