"""The working context of one engine turn: the flow, the boundaries, the clock, the call state
being updated and the actions produced. Node handlers receive it and use its small helpers
(say, listen, transfer, hang up, render a template, extract a value, say announcements).
Every Say carries the speech pace and clear-voice choice of the call."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from dialogs.announcements import Announcements
from dialogs.errors import DialogsError
from dialogs.events import Action, Hangup, Listen, Say, Transfer
from dialogs.flow_model import FormNode, Prompt
from dialogs.loader import LoadedFlow
from dialogs.phrases import ListenStep, StepPhrases, step_phrases
from dialogs.services import Services
from dialogs.speak import say_list, say_time, say_value
from dialogs.state import CallState
from dialogs.understanding import Understander, Understanding

_FORMATTER = string.Formatter()
PROMPT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
"""Keys usable as recorded prompt file names."""
LONG_ANSWER_SILENCE_MS = 1500
"""Trailing silence that ends a free-text answer (a message), milliseconds."""


@dataclass(frozen=True, slots=True)
class Fail:
    """A node handler's verdict: the caller was not heard or not understood."""

    kind: Literal["no_input", "no_match"]
    message: str | None = None
    """Said instead of the flow's default no-input/no-match sentence."""


Outcome = str | Fail | None
"""A listening handler's result: the next node id, a failure, or None when the handler has
already produced what follows (a new question, the end of the call)."""


def slot_kinds(loaded: LoadedFlow) -> dict[str, str]:
    """Slot name -> kind, from the flow's forms (plus 'reference')."""
    kinds = {"date": "date", "time": "time", "phone": "phone", "reference": "reference"}
    for node in loaded.flow.nodes.values():
        if isinstance(node, FormNode):
            kinds.update({slot.name: slot.kind for slot in node.slots})
    return kinds


@dataclass(slots=True)
class Context:
    loaded: LoadedFlow
    understander: Understander
    services: Services
    kinds: dict[str, str]
    state: CallState
    now: datetime
    announcements: Announcements
    heard: Understanding | None = None
    actions: list[Action] = field(default_factory=list)
    replay: list[str] | None = None
    """What 'répétez' should say after this turn, when not simply everything said in it."""
    grammars: dict[tuple[ListenStep, tuple[str, ...]], StepPhrases] = field(
        default_factory=dict)
    """Phrases of the listen steps met so far (the engine's, shared by its calls)."""

    # -- actions -------------------------------------------------------------------------
    def say(self, prompt: Prompt | None, key: str | None = None) -> None:
        """Say flow texts, placeholders filled. `key` names the text for recorded prompts:
        the recording `KEY.wav` (`KEY.N.wav` for the N-th text of a list, from 0) may replace
        the synthetic voice; a text with placeholders has no recording."""
        texts = [prompt] if isinstance(prompt, str) else list(prompt or [])
        for index, text in enumerate(texts):
            rendered = self.render(text)
            name = None
            if key is not None and rendered == text:
                name = key if isinstance(prompt, str) else f"{key}.{index}"
            self._say(rendered, name if name and PROMPT_ID.match(name) else None)

    def here(self, field: str) -> str:
        """The recorded-prompt key of a field of the current node ('bonjour.say')."""
        return f"{self.state.node}.{field}"

    def say_text(self, texts: list[str]) -> None:
        """Say texts as they are (already rendered, or written by someone else)."""
        for text in texts:
            self._say(text, None)

    def _say(self, text: str, prompt_id: str | None) -> None:
        if text.strip():
            state = self.state
            self.actions.append(
                Say(text.strip(), prompt_id=prompt_id, pace=state.pace, clear=state.clear)
            )

    def listen(self, hints: list[str], max_digits: int = 1, long_answer: bool = False) -> None:
        """Wait for the caller; `long_answer` (a message, a description) lets the caller
        pause longer before the turn ends."""
        self.state.last_hints = list(hints)
        self.state.last_max_digits = max_digits
        self.state.last_long_answer = long_answer
        access = self.loaded.flow.accessibility
        coded = any(
            request is not None and request.dtmf
            for request in (access.slower, access.normal, access.clearer)
        )
        node = self.state.node
        form_node = isinstance(self.loaded.flow.nodes.get(node), FormNode)
        step = ListenStep(node, self.state.form_slot if form_node else None)
        key = (step, tuple(hints))
        grammar = self.grammars.get(key)
        if grammar is None:
            grammar = step_phrases(self.loaded, self.understander, step, hints)
            self.grammars[key] = grammar
        listen = Listen(hints=tuple(hints), phrases=grammar.phrases, free_text=grammar.free_text,
                        max_digits=max_digits, code_key="*" if coded else None)
        if long_answer:
            listen = replace(listen, end_silence_ms=LONG_ANSWER_SILENCE_MS)
        self.actions.append(listen)

    def announce(self, topic: str | None, which: str = "all") -> None:
        """Say the announcements active now for `topic` (None: the general ones) not said yet
        in this call; `which`: 'urgent', 'other' or 'all'."""
        try:
            items = self.announcements.active(self.now, topic)
        except DialogsError:  # announcements are a bonus: the call goes on without them
            items = []
        for item in items:
            wanted = which == "all" or (which == "urgent") == item.urgent
            if not wanted or item.id in self.state.announced:
                continue
            self.state.announced.append(item.id)
            name = f"annonce.{item.id}"
            self._say(item.text, name if PROMPT_ID.match(name) else None)

    def transfer(self, queue: str, reason: str) -> None:
        state = self.state
        context = [("intent", state.last_intent or ""), ("dernière phrase", state.last_text)]
        context += sorted(state.slots.items())
        summary = f"Demande : {state.last_intent or 'non comprise'}"
        if state.slots:
            summary += " ; " + ", ".join(f"{k} = {v}" for k, v in sorted(state.slots.items()))
        if state.last_text:
            summary += f' ; a dit : "{state.last_text}"'
        self.actions.append(Transfer(queue, reason, summary, tuple(context)))
        state.ended = True

    def hangup(self, reason: str) -> None:
        self.actions.append(Hangup(reason))
        self.state.ended = True

    # -- words ---------------------------------------------------------------------------
    def extract(self, kind: str, text: str) -> str | None:
        return self.understander.extract(kind, text, self.now)

    def service_label(self, service: str | None) -> str:
        hours = self.loaded.hours
        if service and hours and service in hours.services:
            return hours.services[service].label
        return "le service"

    def render(self, template: str) -> str:
        """Fill `{slot}`, `{service}`, `{hours}`, `{hours:SERVICE}`, `{proposed}`; an
        unknown placeholder is left out rather than spoken as code."""
        out: list[str] = []
        for literal, name, spec, _ in _FORMATTER.parse(template):
            out.append(literal)
            if name is not None:
                out.append(self._placeholder(name, spec or ""))
        return "".join(out)

    def _placeholder(self, name: str, spec: str) -> str:
        hours = self.loaded.hours
        if name == "hours":
            service = spec or self.state.service
            if hours and service in hours.services:
                return hours.describe(service)
            return ""
        if name == "service":
            return self.service_label(self.state.service)
        if name == "proposed":
            return say_list([say_time(item) for item in self.state.proposed])
        value = self.state.slots.get(name)
        if value is None:
            return ""
        return say_value(self.kinds.get(name, "text"), value, self.now.date())
