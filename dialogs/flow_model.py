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
from dialogs.flow_settings import DTMF_PATTERN, Accessibility, Fallback, Handler, Handlers, Wording
from dialogs.flow_settings import Strict as _Strict

__all__ = ["DTMF_PATTERN", "Accessibility", "Fallback", "Handler", "Handlers", "Wording"]
Prompt = str | list[str]
BUILTIN_KINDS = frozenset({"date", "time", "phone", "yes_no", "number", "address", "name", "text"})
"""Slot kinds every understander extracts; an NLU file may add entity tables."""


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


class FormSlot(_Strict):
    """One value a form asks for."""

    name: str = Field(description="Slot name, used in templates as {name}.")
    kind: str = Field(
        description="What to extract from the answer: date, time, phone, yes_no, number, "
        "address, name, text (the words as heard), or an entity table of the NLU file.",
        min_length=1,
    )
    prompt: str = Field(description="Question asked for this slot.")
    reprompts: list[str] = Field(default_factory=list, description="Said after a failure.")
    hints: list[str] = Field(default_factory=list, description="Recogniser phrase hints.")
    check: Literal["future_date", "open_date", "free_time"] | None = Field(
        default=None,
        description="future_date: today or later; open_date: the form's service has free "
        "appointment slots that day; free_time: the slot at date+time is free (else the free "
        "ones are proposed).",
    )


class FormNode(_Strict):
    """Fill slots one by one, read them back for confirmation, then submit."""

    type: Literal["form"]
    intro: Prompt | None = Field(default=None, description="Said once when the form starts.")
    slots: list[FormSlot] = Field(min_length=1, description="Slots, asked in order.")
    confirm: str = Field(description="Read-back question, answered yes or no (keypad 1/2).")
    submit: Literal["book", "ticket", "callback", "message", "none"] = Field(
        default="none",
        description="What is done with the slots once confirmed: book an appointment, file "
        "an incident ticket, request a callback, or file the caller's message (a ticket of "
        "kind 'message', with the call's transcript).",
    )
    service: str | None = Field(
        default=None,
        description="Service the form is for (booking, ticket, callback, message); for a "
        "callback, defaults to the service that was closed; for a message, the service the "
        "caller named (slot 'service') or the one the call was about comes first.",
    )
    done: Prompt = Field(description="Said after submission; may use {reference}.")
    next: str = Field(description="Node after the form.")
    help: str | None = Field(default=None, description="Said when the caller asks for help.")
    on_failure: str | None = Field(
        default=None, description="Node after repeated failures or two denials."
    )

    @model_validator(mode="after")
    def _slot_names_unique(self) -> FormNode:
        names = [slot.name for slot in self.slots]
        if len(names) != len(set(names)):
            raise ValueError("slot names must be unique")
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


class FeedbackNode(_Strict):
    """Ask one satisfaction question to a sample of the callers, once per call; others (and
    calls that gave up) go straight to `next`. The answer is stored with the call."""

    type: Literal["feedback"]
    question: str = Field(description="The question, saying how to answer.")
    scale: Literal["1-5", "yes_no"] = Field(
        default="1-5",
        description="1-5: a key from 1 to 5 or the number said; yes_no: oui/non or keys 1/2.",
    )
    sample_rate: float = Field(
        default=1.0, ge=0, le=1,
        description="Share of the calls asked (0.3: about 3 calls in 10), chosen from a hash "
        "of the call id, so the same call is always chosen the same way.",
    )
    thanks: Prompt = Field(default="Merci pour votre réponse.", description="Said after it.")
    next: str = Field(description="Node after the question (answered or not).")
    if_low: str | None = Field(
        default=None, description="Node instead of `next` after a score of 1 or 2, or 'non'."
    )
    hints: list[str] = Field(default_factory=list, description="Recogniser phrase hints.")


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
