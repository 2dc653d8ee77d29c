"""The "nobody can take your call" dialogue: a callback (phone number captured and read back)
or a spoken message, stored for the agents. Pure and synchronous like the dialogue engine:
caller input in, actions out; `Submit` asks the session to store the request, which answers
with `submitted(reference)` or `failed()`. It ends after at most `MAX_FAILURES` failures.

Phone numbers are 10 digits starting with 0 (said, or typed and ended with '#').
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from dialogs.events import CallerInput, Digits, Hangup, Listen, NoInput, Say, Utterance
from dialogs.speak import say_phone, say_reference

MAX_FAILURES = 3
PHONE = re.compile(r"^0\d{9}$")
OFFER = ("Je peux noter une demande de rappel : tapez 1 ou dites oui. "
         "Pour laisser un message, tapez 2.")
OFFER_KEYPAD = "Je peux noter une demande de rappel : tapez 1. Sinon, tapez 2."
ASK_PHONE = ("Quel est votre numéro de téléphone ? Dites-le, ou tapez-le sur le clavier "
             "suivi de dièse.")
ASK_MESSAGE = "Laissez votre message, puis attendez quelques secondes."
NOT_UNDERSTOOD = "Je n'ai pas compris."
GIVE_UP = ("Je suis désolé, je n'ai pas pu noter votre demande. Merci de rappeler plus tard. "
           "Au revoir.")
DECLINED = "Très bien. Merci de rappeler aux heures d'ouverture. Au revoir."
NOT_STORED = ("Je suis désolé, votre demande n'a pas pu être enregistrée. Merci de rappeler "
              "plus tard. Au revoir.")

Stage = Literal["offer", "message", "phone", "confirm", "done"]
Extract = Callable[[str, str], str | None]
"""extract(kind, text): a value of `kind` ("phone", "yes_no") in the text, or None."""


@dataclass(frozen=True, slots=True)
class Submit:
    """Store a callback request for this number, with the caller's message ('' if none)."""

    phone: str
    message: str


CallbackAction = Say | Listen | Hangup | Submit


class CallbackDialog:
    """One caller's callback request."""

    def __init__(self, extract: Extract, *, messages: bool = True) -> None:
        self._extract = extract
        self.messages = messages
        """Whether a spoken message can be left (it needs speech recognition)."""
        self.stage: Stage = "offer"
        self.failures = 0
        self.phone = ""
        self.message = ""

    def start(self, why: str) -> list[CallbackAction]:
        """Tell the caller why nobody answers, then offer the choice."""
        return [Say(why), *self._ask("offer")]

    def step(self, caller: CallerInput) -> list[CallbackAction]:
        if self.stage == "offer":
            return self._offer(caller)
        if self.stage == "message":
            if isinstance(caller, Utterance):
                self.message = caller.text.strip()
            return self._ask("phone")
        if self.stage == "phone":
            return self._phone(caller)
        if self.stage == "confirm":
            return self._confirm(caller)
        return []

    def submitted(self, reference: str) -> list[CallbackAction]:
        self.stage = "done"
        said = f"C'est noté, votre demande de rappel porte la référence {say_reference(reference)}."
        return [Say(said), Say("Merci de votre appel, au revoir."), Hangup("rappel demandé")]

    def failed(self) -> list[CallbackAction]:
        self.stage = "done"
        return [Say(NOT_STORED), Hangup("rappel non enregistré")]

    # -- stages --------------------------------------------------------------------------
    def _ask(self, stage: Stage, prefix: str | None = None) -> list[CallbackAction]:
        self.stage = stage
        said: list[CallbackAction] = [Say(prefix)] if prefix else []
        if stage == "offer":
            return [*said, Say(OFFER if self.messages else OFFER_KEYPAD), Listen(max_digits=1)]
        if stage == "message":
            return [*said, Say(ASK_MESSAGE), Listen(end_silence_ms=2000, no_input_ms=8000)]
        if stage == "phone":
            return [*said, Say(ASK_PHONE), Listen(max_digits=11, no_input_ms=8000)]
        confirm = (f"Nous vous rappellerons au {say_phone(self.phone)}. Est-ce correct ? "
                   "Tapez 1 pour oui, 2 pour non.")
        return [*said, Say(confirm), Listen(max_digits=1)]

    def _answer(self, caller: CallerInput) -> str | None:
        """'yes' / 'no' from keys 1 / 2 or words."""
        if isinstance(caller, Digits):
            return {"1": "yes", "2": "no"}.get(caller.digits.rstrip("#"))
        if isinstance(caller, Utterance) and caller.text.strip():
            return self._extract("yes_no", caller.text)
        return None

    def _offer(self, caller: CallerInput) -> list[CallbackAction]:
        if isinstance(caller, Digits) and caller.digits.rstrip("#") == "2" and self.messages:
            return self._ask("message")
        answer = self._answer(caller)
        if answer == "yes":
            return self._ask("phone")
        if answer == "no":
            self.stage = "done"
            return [Say(DECLINED), Hangup("rappel refusé")]
        return self._fail(caller)

    def _phone(self, caller: CallerInput) -> list[CallbackAction]:
        number: str | None = None
        if isinstance(caller, Digits):
            number = caller.digits.rstrip("#")
        elif isinstance(caller, Utterance) and caller.text.strip():
            number = self._extract("phone", caller.text)
        if number is not None and PHONE.match(number):
            self.phone = number
            return self._ask("confirm")
        return self._fail(caller)

    def _confirm(self, caller: CallerInput) -> list[CallbackAction]:
        answer = self._answer(caller)
        if answer == "yes":
            return [Submit(self.phone, self.message)]
        if answer == "no":
            return self._ask("phone")
        return self._fail(caller)

    def _fail(self, caller: CallerInput) -> list[CallbackAction]:
        self.failures += 1
        if self.failures >= MAX_FAILURES:
            self.stage = "done"
            return [Say(GIVE_UP), Hangup("rappel impossible")]
        prefix = "Je ne vous entends pas." if isinstance(caller, NoInput) else NOT_UNDERSTOOD
        return self._ask(self.stage, prefix)
