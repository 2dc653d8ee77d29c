"""Flow nodes that collect the caller's answers into values: forms (slots, read-back,
submission) and the satisfaction question. Part of the flow format (`flow_model`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from dialogs.flow_settings import Prompt
from dialogs.flow_settings import Strict as _Strict

BUILTIN_KINDS = frozenset({"date", "time", "phone", "yes_no", "number", "address", "name", "text"})
"""Slot kinds every understander extracts; an NLU file may add entity tables."""


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
    free_text: bool | None = Field(
        default=None,
        description="The answer is free words: listened to with free speech, not restricted "
        "to the step's phrases. Default: true for the kinds name, address and text.",
    )
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
    free_text: bool = Field(
        default=False,
        description="Answers are free words (a comment): free speech, no restricted grammar.",
    )
