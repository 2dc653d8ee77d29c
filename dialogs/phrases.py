"""What a listen step can act on, as phrases for a speech grammar (no speech engine here).

For each listening step (an ask or menu node, a feedback question, one slot of a form or its
confirmation) `step_phrases` lists the phrases the step can use: its hints, its choices'
labels, yes/no words when a spoken yes/no counts, the examples and cues of the intents it can
follow (its own, inherited and the global handlers'), the global and accessibility phrases, and
the French words of the values it reads (numbers, dates, times, phone digits, entity tables,
service names). The session turns them into a recogniser grammar; a step that collects free
text (a name, an address, a message) has none and is listened to with free speech.

Phrases are lowercase, deduplicated, in a fixed order (hints first) and at most
`MAX_PHRASES`: what is cut is the end of the list, never the hints. The order: hints,
labels, value words, global phrases, the step's intents (one phrase of each in turn, so a cut
list keeps some of every intent), their slots' value words, then the global intents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dialogs.flow_model import AskNode, FeedbackNode, FormNode, FormSlot, MenuNode
from dialogs.loader import LoadedFlow
from dialogs.understanding import Understander

MAX_PHRASES = 1000
"""Most phrases of one step's grammar: a larger grammar decodes no better than free speech
and takes longer to build."""
FREE_KINDS = frozenset({"name", "address", "text"})
"""Form slot kinds whose answers are free words: their steps skip the grammar by default."""
CONFIRM = "!confirm"
"""The form slot name of a form's read-back question (as `dialogs.nodes.form`)."""

_UNITS = ("zéro", "un", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit",
          "neuf", "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize")
_TENS = ("vingt", "trente", "quarante", "cinquante", "soixante")
NUMBER_WORDS = (*_UNITS, *_TENS, "et", "quatre-vingt", "quatre-vingts", "cent", "cents",
                "mille", "soixante-dix", "quatre-vingt-dix", "dix-sept", "dix-huit", "dix-neuf")
"""Words of French cardinal numbers (a grammar's phrases may follow one another, so
'vingt et un' and 'soixante-dix-huit' are said with these words)."""
YES_NO_WORDS = ("oui", "non", "ouais", "si", "d'accord", "c'est ça", "exactement",
                "tout à fait", "bien sûr", "pas du tout", "absolument pas", "je confirme",
                "c'est bon", "c'est correct", "pas ça", "pas vraiment")
DATE_WORDS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
              "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre", "premier", "le", "aujourd'hui",
              "demain", "après-demain", "prochain", "prochaine", "semaine", "dans", "jours",
              "matin", "après-midi")
TIME_WORDS = ("heure", "heures", "midi", "minuit", "et demie", "et quart", "moins le quart",
              "du matin", "de l'après-midi", "du soir", "à")
ORDINAL_WORDS = ("le premier", "la première", "le deuxième", "le second", "le troisième")
"""Words that pick one of the times proposed by a form (see `nodes.form_values.ORDINALS`)."""


@dataclass(frozen=True, slots=True)
class StepPhrases:
    """The phrases of one listen step, or none when the step takes free text."""

    phrases: tuple[str, ...]
    free_text: bool = False
    truncated: int = 0
    """Phrases left out past `MAX_PHRASES`."""


@dataclass(frozen=True, slots=True)
class ListenStep:
    """One place where a call listens: a node, and for a form the slot asked (or CONFIRM)."""

    node: str
    slot: str | None = None


def listen_steps(loaded: LoadedFlow) -> list[ListenStep]:
    """Every listen step of the flow, in node order (each form slot and its confirmation)."""
    steps: list[ListenStep] = []
    for node_id, node in loaded.flow.nodes.items():
        if isinstance(node, FormNode):
            steps += [ListenStep(node_id, slot.name) for slot in node.slots]
            steps.append(ListenStep(node_id, CONFIRM))
        elif isinstance(node, AskNode | MenuNode | FeedbackNode):
            steps.append(ListenStep(node_id))
    return steps


def is_free_text(slot: FormSlot) -> bool:
    """Whether a form slot collects free words: its `free_text`, else its kind decides."""
    return slot.free_text if slot.free_text is not None else slot.kind in FREE_KINDS


def step_phrases(
    loaded: LoadedFlow, understander: Understander, step: ListenStep,
    hints: Iterable[str] = (),
) -> StepPhrases:
    """The phrases `step` can act on (`hints`: the hints the step listens with, if not the
    node's own)."""
    node = loaded.flow.nodes[step.node]
    out: list[str] = list(hints)
    intents: list[str] = []
    kinds: list[str] = []
    if isinstance(node, FormNode):
        slot = next((s for s in node.slots if s.name == step.slot), None)
        if slot is not None:
            if is_free_text(slot):
                return StepPhrases((), free_text=True)
            out += slot.hints
            kinds.append(slot.kind)
            kinds += [s.kind for s in node.slots if s.kind in ("date", "time")]
            if slot.check == "free_time":
                out += ORDINAL_WORDS
        else:  # the read-back: yes or no, or a corrected date, time or phone number
            kinds.append("yes_no")
            kinds += [s.kind for s in node.slots if s.kind in ("date", "time", "phone")]
    elif isinstance(node, FeedbackNode):
        if node.free_text:
            return StepPhrases((), free_text=True)
        out += node.hints
        kinds.append("yes_no" if node.scale == "yes_no" else "feedback_scale")
    elif isinstance(node, AskNode | MenuNode):
        if node.free_text:
            return StepPhrases((), free_text=True)
        out += node.hints
        choices = node.routes if isinstance(node, AskNode) else node.choices
        inherited = loaded.flow.nodes.get(node.inherit) if node.inherit else None
        if isinstance(inherited, AskNode | MenuNode):
            choices = [*choices, *(inherited.routes if isinstance(inherited, AskNode)
                                   else inherited.choices)]
        out += [c.label for c in choices if c.label]
        intents += [c.intent for c in choices if c.intent]
        if any(c.reply for c in choices):
            kinds.append("yes_no")
    out += _kind_words(loaded, understander, kinds)
    global_intents: list[str] = []
    out += _global_phrases(loaded, global_intents)
    out += _each_in_turn(understander, intents)
    kinds_of_intents = understander.slot_kinds(intents)
    out += _kind_words(loaded, understander, [k for k in kinds_of_intents if k not in kinds])
    out += _each_in_turn(understander, [i for i in global_intents if i not in intents])
    return _bounded(out)


def _each_in_turn(understander: Understander, intents: Iterable[str]) -> list[str]:
    """The intents' phrases taken one of each in turn, so that a cut list keeps some of
    every intent."""
    lists = [understander.phrases([intent], ()) for intent in dict.fromkeys(intents)]
    longest = max((len(phrases) for phrases in lists), default=0)
    return [phrases[i] for i in range(longest) for phrases in lists if i < len(phrases)]


def _global_phrases(loaded: LoadedFlow, intents: list[str]) -> list[str]:
    """Phrases of the global handlers and voice requests; their intents go into `intents`."""
    flow = loaded.flow
    out: list[str] = []
    handlers = (flow.handlers.repeat, flow.handlers.help, flow.handlers.agent,
                flow.handlers.goodbye, flow.handlers.message)
    for handler in handlers:
        if handler is not None:
            out += handler.phrases
            if handler.intent:
                intents.append(handler.intent)
    access = flow.accessibility
    for request in (access.slower, access.normal, access.clearer):
        if request is not None:
            out += request.phrases
    return out


def _kind_words(loaded: LoadedFlow, understander: Understander, kinds: Iterable[str]) -> list[str]:
    out: list[str] = []
    for kind in kinds:
        if kind in ("number", "phone", "date", "time", "feedback_scale"):
            out += _UNITS[1:6] if kind == "feedback_scale" else NUMBER_WORDS
        if kind == "phone":
            out.append("double")
        elif kind == "date":
            out += DATE_WORDS
        elif kind == "time":
            out += TIME_WORDS
        elif kind == "yes_no":
            out += YES_NO_WORDS
        elif kind == "service" and loaded.hours is not None:
            out += [service.label for service in loaded.hours.services.values()]
    out += understander.phrases((), [k for k in kinds if k not in FREE_KINDS])
    return out


def _bounded(phrases: Iterable[str]) -> StepPhrases:
    seen: dict[str, None] = {}
    for phrase in phrases:
        words = " ".join(phrase.lower().replace("’", "'").split())
        if words:
            seen.setdefault(words, None)
    kept = tuple(seen)
    return StepPhrases(kept[:MAX_PHRASES], truncated=max(0, len(kept) - MAX_PHRASES))
