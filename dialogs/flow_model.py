"""The flow format: what a town-hall admin writes in a flow YAML file.

A flow is a set of named nodes (`nodes: {id: {type: ..., ...}}`) starting at `start`, global
handlers available at every listening step (repeat, help, agent, goodbye), the failure policy
(`fallback`), and references to its data files (NLU intents, knowledge base, hours), given as
paths relative to the flow file. Prompts are French text that may hold placeholders:
`{slot}` (a slot value, spoken in French), `{reference}`, `{service}`, `{hours}` (hours of the
current service) or `{hours:SERVICE}`. Flow-wide settings live in `flow_settings`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from dialogs.conditions_model import Condition
from dialogs.flow_forms import BUILTIN_KINDS, FeedbackNode, FormNode, FormSlot
from dialogs.flow_settings import (
    DTMF_PATTERN,
    Accessibility,
    Fallback,
    Handler,
    Handlers,
    Prompt,
    Wording,
)
from dialogs.flow_settings import Strict as _Strict

__all__ = [
    "BUILTIN_KINDS", "DTMF_PATTERN", "Accessibility", "Fallback", "FeedbackNode", "FormNode",
    "FormSlot", "Handler", "Handlers", "Prompt", "Wording",
]


class Choice(_Strict):
    """One way out of an ask or menu node: an intent, a keypad key and/or a yes/no reply."""

    goto: str = Field(description="Node to go to when the choice is made.")
    intent: str | None = Field(default=None, description="Intent that selects this choice.")
    dtmf: str | None = Field(
        default=None, pattern=DTMF_PATTERN, description="Keypad key that selects this choice."
    )
    reply: Literal["yes", "no"] | None = Field(
        default=None, description="A spoken yes or no that selects this choice."
    )
    label: str | None = Field(
        default=None, description="Words used to announce the keypad key: 'tapez 1 pour LABEL'."
    )

    @model_validator(mode="after")
    def _has_a_trigger(self) -> Choice:
        if self.intent is None and self.dtmf is None and self.reply is None:
            raise ValueError("a choice needs an intent, a dtmf key or a reply")
        return self


class _Listening(_Strict):
    prompt: Prompt = Field(description="What is said when the step starts.")
    reprompts: list[str] = Field(
        default_factory=list,
        description="Said again after the 1st, 2nd... failure (the last one is reused).",
    )
    help: str | None = Field(default=None, description="Said when the caller asks for help.")
    hints: list[str] = Field(
        default_factory=list, description="Phrases the speech recogniser may favour."
    )
    free_text: bool = Field(
        default=False,
        description="The step takes free words: listened to with free speech instead of a "
        "grammar of what the step can act on.",
    )
    on_failure: str | None = Field(
        default=None,
        description="Node after repeated no-input/no-match here (default: fallback.escalate).",
    )
    inherit: str | None = Field(
        default=None, description="Also accept the intents of the choices of this other node."
    )


class AskNode(_Listening):
    """Listen for an intent (or yes/no) and branch; slots heard are kept."""

    type: Literal["ask"]
    routes: list[Choice] = Field(description="Choices, tried in order.")


class MenuNode(_Listening):
    """A menu offered by speech and keypad; the keys are announced after the prompt. Choices
    without a key are extra spoken shortcuts (reach them by keypad through another menu)."""

    type: Literal["menu"]
    choices: list[Choice] = Field(min_length=1, description="Choices, tried in order.")
    announce_keys: bool = Field(
        default=True, description="Append 'tapez 1 pour LABEL, ...' to the prompt."
    )

    @model_validator(mode="after")
    def _every_choice_has_a_key(self) -> MenuNode:
        keyed = [choice for choice in self.choices if choice.dtmf is not None]
        if not keyed:
            raise ValueError("a menu needs at least one choice with a dtmf key")
        if self.announce_keys and any(choice.label is None for choice in keyed):
            raise ValueError("announce_keys needs a label on every choice with a dtmf key")
        return self


class SayNode(_Strict):
    """Say something, then go on."""

    type: Literal["say"]
    say: Prompt
    next: str


class AnswerNode(_Strict):
    """Say an answer of the knowledge base: a given entry, or the best one of a topic."""

    type: Literal["answer"]
    entry: str | None = Field(default=None, description="Knowledge base entry id.")
    topic: str | None = Field(
        default=None, description="Pick the entry of this topic closest to the caller's words."
    )
    next: str

    @model_validator(mode="after")
    def _entry_or_topic(self) -> AnswerNode:
        if (self.entry is None) == (self.topic is None):
            raise ValueError("give exactly one of 'entry' and 'topic'")
        return self


class TransferNode(_Strict):
    """Transfer to a service queue; when the service is closed, go to `if_closed` instead."""

    type: Literal["transfer"]
    queue: str = Field(description="Service queue (a service of the hours file).")
    reason: str = Field(description="Why the call is transferred, shown to the agent.")
    say: Prompt | None = Field(default=None, description="Said before the transfer.")
    if_closed: str | None = Field(
        default=None, description="Node when the service is closed (e.g. a callback form)."
    )
    closed_say: Prompt | None = Field(
        default=None, description="Said when closed (default: the service's hours)."
    )


class HangupNode(_Strict):
    """Say goodbye and end the call."""

    type: Literal["hangup"]
    say: Prompt | None = None
    reason: str = ""


class GotoNode(_Strict):
    """Jump to another node."""

    type: Literal["goto"]
    goto: str


class Branch(_Strict):
    when: Condition
    goto: str


class ConditionNode(_Strict):
    """Go to the first branch whose condition holds, else to `else`."""

    type: Literal["condition"]
    branches: list[Branch] = Field(min_length=1)
    otherwise: str = Field(alias="else")


class SetNode(_Strict):
    """Set variables or slots, bump counters, then go on."""

    type: Literal["set"]
    set: dict[str, str] = Field(default_factory=dict, description="Slot name -> value.")
    increment: list[str] = Field(default_factory=list, description="Counters to add 1 to.")
    clear: list[str] = Field(default_factory=list, description="Slots to forget.")
    next: str


class AnnounceNode(_Strict):
    """Say the announcements active now (see the flow's `announcements` file), each once per
    call, then go on; nothing is said when none is active."""

    type: Literal["announce"]
    which: Literal["urgent", "other", "all"] = Field(
        default="all", description="Only the urgent ones, only the others, or all."
    )
    topic: str | None = Field(
        default=None, description="The ones targeted at this topic, instead of general ones."
    )
    next: str


Node = Annotated[
    AskNode | MenuNode | FormNode | FeedbackNode | SayNode | AnswerNode | AnnounceNode
    | TransferNode | HangupNode | GotoNode | ConditionNode | SetNode,
    Field(discriminator="type"),
]
LISTENING_TYPES = frozenset({"ask", "menu", "form", "feedback"})


class Flow(_Strict):
    """A dialogue flow file."""

    name: str = Field(description="Name of the flow (shown to admins).")
    nlu: str | None = Field(default=None, description="Intents file, relative to the flow.")
    knowledge: str | None = Field(default=None, description="Knowledge file, relative path.")
    hours: str | None = Field(default=None, description="Hours file, relative path.")
    announcements: str | None = Field(
        default=None, description="Announcements file, relative path."
    )
    intents: list[str] = Field(
        default_factory=list, description="Intents the flow may use (besides the NLU file's)."
    )
    confidence: float = Field(
        default=0.0, ge=0, le=1, description="Below this, an intent counts as not understood "
        "(on top of the understander's own threshold)."
    )
    asr_confidence: float = Field(
        default=0.0, ge=0, le=1,
        description="Speech recognised with a lower confidence counts as not understood "
        "(nothing is acted on words that were probably misheard).",
    )
    global_confidence: float = Field(
        default=0.9, ge=0, le=1,
        description="Below this confidence, a global intent (agent, goodbye, repeat) yields "
        "to what the step itself accepts (a yes/no, a form value, a choice).",
    )
    global_fallback_confidence: float = Field(
        default=0.6, ge=0, le=1,
        description="When the step cannot use the answer, a global intent is still followed "
        "from this confidence (below it the answer counts as not understood).",
    )
    whisper: bool = Field(
        default=True,
        description="When an agent answers a transferred call, the agent alone first hears a "
        "short spoken summary of the call (the transfer's summary), then the caller is "
        "connected.",
    )
    start: str = Field(description="First node of every call.")
    handlers: Handlers = Field(default_factory=Handlers, alias="global")
    fallback: Fallback
    accessibility: Accessibility = Field(
        default_factory=Accessibility,
        description="How callers ask for a slower or clearer voice (keypad codes, phrases).",
    )
    wording: Wording = Field(
        default_factory=Wording, description="Plain-language rules checked by check-flow."
    )
    nodes: dict[str, Node]
