"""Changes of voice a caller can ask for at any listening step: slower ("parlez moins vite",
keypad `*1`), normal again (`*2`), louder and clearer (`*3`), as set in the flow's
`accessibility`. The choice is kept in the call state (`pace`, a speech-rate multiplier, 1.0
normal; `clear`) and carried by every Say that follows; the step's question is said again at the
new pace ('répétez' still repeats everything said before the request).

Also the phrase matching shared with the global handlers: a one-word phrase must be the whole
answer, a longer one may be inside it (the whole answer when a form asks for free text).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from dialogs.context import Context
from dialogs.events import CallerInput, Digits, Utterance
from dialogs.flow_settings import PaceRequest

VoiceChange = Literal["slower", "normal", "clearer"]
CHANGES: tuple[VoiceChange, ...] = ("slower", "normal", "clearer")


def says(text: str, phrase: str, whole: bool = False) -> bool:
    """Whether `text` says `phrase`: a one-word phrase (or any phrase when `whole`) must be
    the whole text, a longer one may be inside it."""
    phrase = phrase.lower().strip()
    if whole or " " not in phrase:
        return text == phrase
    return f" {phrase} " in f" {text} "


def requested(ctx: Context, caller: CallerInput, free_text: bool) -> VoiceChange | None:
    """The change of voice the caller asks for, if any; `free_text`: the step takes any
    words (a message, a description), so only an answer made of the phrase alone counts."""
    access = ctx.loaded.flow.accessibility
    for name in CHANGES:
        request: PaceRequest | None = getattr(access, name)
        if request is None:
            continue
        if isinstance(caller, Digits):
            if request.dtmf is not None and caller.digits.rstrip("#") == request.dtmf:
                return name
        elif isinstance(caller, Utterance):
            text = ctx.state.last_text
            if len(text.split()) > access.max_words:
                continue
            if any(says(text, phrase, whole=free_text) for phrase in request.phrases):
                return name
    return None


def apply(ctx: Context, change: VoiceChange, ask_again: Callable[[], None]) -> None:
    """Change the call's voice, say so at the new pace, then ask the step's question again
    (`ask_again` says it and listens)."""
    access, state = ctx.loaded.flow.accessibility, ctx.state
    request = getattr(access, change)
    assert isinstance(request, PaceRequest), "only requested changes are applied"
    if change == "slower":
        state.pace = round(max(access.min_pace, state.pace * access.slower_factor), 3)
    elif change == "normal":
        state.pace, state.clear = 1.0, False
    else:
        state.pace, state.clear = min(state.pace, access.clear_pace), True
    ctx.replay = list(state.last_say)
    ctx.say(request.say, f"accessibility.{change}")
    ask_again()
