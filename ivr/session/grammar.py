"""Which phrases a listen step's recognition is restricted to (a Vosk grammar), if any.

The engine's `Listen` carries what the step can act on (`phrases`, the flow's `hints` first)
and whether it takes free text. With `[session] hint_grammar` on and a model that can take a
phrase list (a runtime graph: the small models), the step is decoded with those phrases, and
what they cannot cover is decoded again freely (`speech.recognizer`); otherwise free speech.
"""

from __future__ import annotations

from collections.abc import Sequence

from dialogs.events import Listen
from ivr.config.sections import SessionSection
from speech.vosk_model import SpeechModel


def step_grammar(
    step: Listen, session: SessionSection, model: SpeechModel
) -> Sequence[str] | None:
    """The phrases to restrict `step` to, or None for free speech (a free-text step, the
    switch off, no phrase, or a static-graph model: logged once by the model)."""
    if not session.hint_grammar or step.free_text:
        return None
    phrases = list(step.phrases or step.hints)
    if not phrases:
        return None
    return model.restricted(phrases)
