"""The dialogue engine: pure, synchronous and deterministic.

`Engine.start(now)` opens a call (greeting) and `Engine.step(state, caller_input, now)` plays
one caller turn; both return the new `CallState` (the one passed in is not changed) and the
actions for the call session (Say, Listen, Transfer, Hangup). The clock is an argument, never
read; side effects go through the `Services` boundary; every turn is appended to the state's
transcript. Failures escalate: a reprompt, then `fallback.escalate` (keypad menu or agent),
and after `fallback.max_call_failures` the `give_up` node, then a polite hang-up: a call never
loops forever. At every listening step the caller may also ask for a slower or clearer voice
(`voice_requests`), to repeat, for help, for an agent, to leave a message or to hang up.
Announcements come from an `Announcements` provider (by default the flow's file).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from dialogs import voice_requests
from dialogs.announcements import Announcements, NoAnnouncements
from dialogs.context import Context, Fail, Outcome, slot_kinds
from dialogs.events import Action, CallerInput, Digits, Hangup, NoInput, Say, Utterance
from dialogs.flow_model import LISTENING_TYPES, AskNode, FeedbackNode, FormNode, Handler, MenuNode
from dialogs.loader import LoadedFlow
from dialogs.nodes import choices, feedback, form, passive
from dialogs.phrases import ListenStep, StepPhrases
from dialogs.services import Services
from dialogs.state import CallState
from dialogs.transcript import record
from dialogs.understanding import Understander, Understanding

MAX_HOPS = 50
"""Passive nodes run in one turn before the flow is deemed to loop."""
ListeningNode = AskNode | MenuNode | FormNode | FeedbackNode
GlobalName = Literal["repeat", "help", "agent", "goodbye", "message"]
GLOBAL_NAMES: tuple[GlobalName, ...] = ("agent", "goodbye", "message", "repeat", "help")
SORRY = "Je suis désolé, je n'arrive pas à vous aider. Merci de rappeler plus tard. Au revoir."


class Engine:
    """Plays a loaded flow for any number of calls (it keeps no per-call data)."""

    def __init__(
        self,
        loaded: LoadedFlow,
        understander: Understander,
        services: Services,
        announcements: Announcements | None = None,
    ):
        self.loaded = loaded
        self.understander = understander
        self.services = services
        self.announcements = announcements or loaded.announcements or NoAnnouncements()
        self._kinds = slot_kinds(loaded)
        self._grammars: dict[tuple[ListenStep, tuple[str, ...]], StepPhrases] = {}
        """Phrases of each listen step, computed the first time a call reaches it."""

    def start(self, now: datetime, call_id: str = "") -> tuple[CallState, list[Action]]:
        """Open a call (`call_id`: the session's id of the call, kept in the state): the
        greeting up to the first question."""
        state = CallState(node=self.loaded.flow.start, call_id=call_id)
        ctx = self._context(state, now)
        self._guard(ctx, lambda: _advance(ctx, self.loaded.flow.start))
        return self._finish(ctx, None)

    def step(
        self, state: CallState, caller: CallerInput, now: datetime
    ) -> tuple[CallState, list[Action]]:
        """Play one caller input; returns the new state and the actions."""
        if state.ended:
            return state, []
        ctx = self._context(state.model_copy(deep=True), now)
        ctx.state.turns += 1
        self._guard(ctx, lambda: self._turn(ctx, caller))
        return self._finish(ctx, caller)

    # -- internals -----------------------------------------------------------------------
    def _context(self, state: CallState, now: datetime) -> Context:
        return Context(
            self.loaded, self.understander, self.services, self._kinds, state, now,
            self.announcements, grammars=self._grammars,
        )

    def _finish(self, ctx: Context, caller: CallerInput | None) -> tuple[CallState, list[Action]]:
        says = [action.text for action in ctx.actions if isinstance(action, Say)]
        if ctx.replay is not None:
            ctx.state.last_say = ctx.replay
        elif says and not ctx.state.ended:
            ctx.state.last_say = says
        record(ctx.state, caller, ctx.heard, ctx.actions, ctx.now)
        return ctx.state, ctx.actions

    def _guard(self, ctx: Context, play: Callable[[], None]) -> None:
        """Run a turn; a broken flow or a failing boundary ends the call politely."""
        try:
            play()
        except Exception as err:  # a call must end cleanly, never go silent
            ctx.actions.append(Say("Je suis désolé, une erreur est survenue. Au revoir.",
                                   pace=ctx.state.pace, clear=ctx.state.clear))
            ctx.actions.append(Hangup(f"erreur: {type(err).__name__}: {err}"))
            ctx.state.ended = True

    def _turn(self, ctx: Context, caller: CallerInput) -> None:
        state, fallback = ctx.state, self.loaded.flow.fallback
        if state.turns > fallback.max_turns:
            ctx.say(SORRY)
            ctx.hangup("trop d'échanges")
            return
        node = self.loaded.flow.nodes[state.node]
        assert isinstance(node, ListeningNode), f"the call waits on non-listening node {state.node}"
        if isinstance(caller, Utterance) and caller.text.strip():
            text = caller.text.strip().lower()
            if caller.confidence < self.loaded.flow.asr_confidence:
                self._fail(ctx, node, Fail("no_match", fallback.misheard))
                return
            state.last_text = text
            ctx.heard = self._understand(text, ctx.now)
            state.last_intent = ctx.heard.intent
        elif isinstance(caller, NoInput | Utterance):
            self._fail(ctx, node, Fail("no_input"))
            return
        free_text = _free_text(node, state.form_slot)
        change = voice_requests.requested(ctx, caller, free_text)
        if change is not None:
            voice_requests.apply(ctx, change, lambda: _prompt(ctx, node))
            return
        handler, by_intent = self._global(ctx, caller, free_text)
        # The step's own answer comes first when the global intent is not sure: a name or a
        # phone number is not a request for an agent, a "non" is not a goodbye.
        weak = by_intent and ctx.heard is not None and (
            ctx.heard.confidence < self.loaded.flow.global_confidence
        )
        if handler is not None and not weak:
            self._run_global(ctx, node, handler)
            return
        outcome: Outcome
        if isinstance(node, FormNode):
            outcome = form.handle(ctx, node, caller)
        elif isinstance(node, FeedbackNode):
            outcome = feedback.handle(ctx, node, caller)
        else:
            outcome = choices.handle(ctx, node, caller)
        fallback_ok = ctx.heard is not None and (
            ctx.heard.confidence >= self.loaded.flow.global_fallback_confidence
        )
        if isinstance(outcome, Fail) and handler is not None and fallback_ok:
            self._run_global(ctx, node, handler)
        elif isinstance(outcome, Fail):
            self._fail(ctx, node, outcome)
        elif outcome is not None:
            _advance(ctx, outcome)

    def _understand(self, text: str, now: datetime) -> Understanding:
        heard = self.understander.understand(text, now)
        if heard.intent is not None and heard.confidence < self.loaded.flow.confidence:
            return Understanding(heard.text, None, heard.confidence, heard.slots)
        return heard

    def _global(
        self, ctx: Context, caller: CallerInput, free_text: bool
    ) -> tuple[GlobalName | None, bool]:
        """The global handler the input triggers, and whether only its intent did. A handler
        leading to the step the call is at is left to the step (a message form hears
        "laisser un message" as part of the message)."""
        found: dict[GlobalName, Handler] = {}
        for name in GLOBAL_NAMES:
            handler: Handler | None = getattr(self.loaded.flow.handlers, name)
            if handler is not None and handler.goto != ctx.state.node:
                found[name] = handler
        for name, handler in found.items():
            if isinstance(caller, Digits):
                if handler.dtmf is not None and caller.digits.rstrip("#") == handler.dtmf:
                    return name, False
                continue
            text = ctx.state.last_text
            if any(voice_requests.says(text, phrase, free_text) for phrase in handler.phrases):
                return name, False
        heard = ctx.heard
        for name, handler in found.items():
            if handler.intent and heard is not None and heard.intent == handler.intent:
                return name, True
        return None, False

    def _run_global(self, ctx: Context, node: ListeningNode, name: GlobalName) -> None:
        handler = getattr(self.loaded.flow.handlers, name)
        assert isinstance(handler, Handler)
        heard, hours = ctx.heard, self.loaded.hours
        if heard is not None:  # "passez-moi l'urbanisme": the service asked for is kept
            ctx.state.slots.update(heard.slots)
            # "un message pour l'urbanisme": a topic that is also a service names the service
            named = heard.intent in hours.services if hours and heard.intent else False
            if name == "message" and named and "service" not in heard.slots:
                ctx.state.slots["service"] = str(heard.intent)
        if handler.goto is not None:
            _advance(ctx, handler.goto)
        elif name == "repeat":
            ctx.say_text(list(ctx.state.last_say))
            ctx.replay = list(ctx.state.last_say)
            state = ctx.state
            ctx.listen(state.last_hints, state.last_max_digits, state.last_long_answer)
        else:
            own = getattr(node, "help", None)
            ctx.say(own or handler.say, ctx.here("help") if own else f"global.{name}.say")
            _prompt(ctx, node)

    def _fail(self, ctx: Context, node: ListeningNode, failure: Fail) -> None:
        state, fallback = ctx.state, self.loaded.flow.fallback
        if isinstance(node, FeedbackNode):  # an optional question: no insisting, no failure
            _advance(ctx, node.next)
            return
        if failure.kind == "no_input":
            state.no_input += 1
        else:
            state.no_match += 1
        state.call_failures += 1
        message = failure.message or (
            fallback.no_input if failure.kind == "no_input" else fallback.no_match
        )
        key = None if failure.message else f"fallback.{failure.kind}"
        if state.gave_up:
            ctx.say(SORRY)
            ctx.hangup("échecs répétés")
            return
        if state.call_failures >= fallback.max_call_failures:
            state.gave_up = True
            ctx.say(message, key)
            _advance(ctx, fallback.give_up)
            return
        failures = state.no_input + state.no_match
        if failures >= fallback.max_failures:
            target = node.on_failure or fallback.escalate
            if target == state.node:
                state.gave_up = True
                target = fallback.give_up
            ctx.say(message, key)
            _advance(ctx, target)
            return
        ctx.say(message, key)
        if isinstance(node, FormNode):
            form.reprompt(ctx, node, failures)
        else:
            choices.reprompt(ctx, node, failures)


def _free_text(node: ListeningNode, form_slot: str | None) -> bool:
    """Whether the step takes any words (a form's text slot): phrases then count only alone."""
    if not isinstance(node, FormNode):
        return False
    return any(slot.name == form_slot and slot.kind == "text" for slot in node.slots)


def _prompt(ctx: Context, node: ListeningNode) -> None:
    if isinstance(node, FormNode):
        form.prompt(ctx, node)
    elif isinstance(node, FeedbackNode):
        feedback.prompt(ctx, node)
    else:
        choices.prompt(ctx, node)


def _advance(ctx: Context, target: str) -> None:
    """Run passive nodes from `target` until a listening node asks or the call ends."""
    nodes = ctx.loaded.flow.nodes
    for _ in range(MAX_HOPS):
        node = nodes[target]
        if node.type in LISTENING_TYPES:
            assert isinstance(node, ListeningNode)
            ctx.state.no_input = ctx.state.no_match = 0
            ctx.state.node = target
            redirect = None
            if isinstance(node, FormNode):
                redirect = form.enter(ctx, node)
            elif isinstance(node, FeedbackNode):
                redirect = feedback.enter(ctx, node)
            else:
                choices.prompt(ctx, node)
            if redirect is not None:
                target = redirect
                continue
            return
        ctx.state.node = target
        assert not isinstance(node, ListeningNode)
        following = passive.run(ctx, node)
        if following is None:
            return
        target = following
    ctx.say("Je suis désolé, une erreur est survenue. Au revoir.")
    ctx.hangup(f"le parcours tourne en rond après le nœud {target}")

