"""The pure callback dialogue: caller input in, actions out."""

from __future__ import annotations

from datetime import datetime

from dialogs.events import Digits, Hangup, Listen, NoInput, Say, Utterance
from dialogs.loader import load_flow
from dialogs.nlu import FrenchUnderstander
from dialogs.runtime import default_flow_path, french_understander
from ivr.session.callback import MAX_FAILURES, CallbackDialog, Submit

NOW = datetime(2026, 5, 12, 10, 0)
UNDERSTANDER = french_understander(load_flow(default_flow_path()))
assert isinstance(UNDERSTANDER, FrenchUnderstander)


def dialog() -> CallbackDialog:
    return CallbackDialog(lambda kind, text: UNDERSTANDER.extract(kind, text, NOW))


def texts(actions: list[object]) -> str:
    return " ".join(a.text for a in actions if isinstance(a, Say))


def test_spoken_callback_request() -> None:
    d = dialog()
    start = d.start("Aucun conseiller n'est disponible.")
    assert texts(start).startswith("Aucun conseiller") and isinstance(start[-1], Listen)
    asked = d.step(Utterance("oui s'il vous plaît"))
    assert "numéro de téléphone" in texts(asked)
    read_back = d.step(Utterance("zéro six douze trente quatre cinquante six soixante dix huit"))
    assert "06 12 34 56 78" in texts(read_back)
    assert d.step(Utterance("oui")) == [Submit("0612345678", "")]
    done = d.submitted("C42")
    assert "C 4 2" in texts(done) and isinstance(done[-1], Hangup)


def test_keypad_message_then_number_corrected() -> None:
    d = dialog()
    d.start("Personne ne peut répondre.")
    assert "message" in texts(d.step(Digits("2")))
    assert "numéro" in texts(d.step(Utterance("rappelez moi pour mon permis de construire")))
    d.step(Digits("0611111111#"))
    assert "numéro" in texts(d.step(Digits("2")))  # no: the number again
    d.step(Digits("0622222222#"))
    assert d.step(Digits("1")) == [Submit("0622222222",
                                          "rappelez moi pour mon permis de construire")]


def test_odd_numbers_and_silence_end_politely_after_a_few_tries() -> None:
    d = dialog()
    d.start("Personne ne peut répondre.")
    d.step(Digits("1"))
    answers = [Digits("12#"), NoInput(), Utterance("je ne sais pas")]
    for attempt, answer in enumerate(answers, start=1):
        actions = d.step(answer)
        if attempt < MAX_FAILURES:
            assert isinstance(actions[-1], Listen)
    assert isinstance(actions[-1], Hangup) and "rappeler plus tard" in texts(actions)
    assert d.step(Digits("1")) == []  # over


def test_declining_ends_the_call() -> None:
    d = dialog()
    d.start("Personne ne peut répondre.")
    actions = d.step(Utterance("non merci"))
    assert isinstance(actions[-1], Hangup) and "Au revoir" in texts(actions)


def test_a_storage_failure_is_told() -> None:
    d = dialog()
    d.start("x")
    d.step(Digits("1"))
    d.step(Digits("0612345678#"))
    d.step(Digits("1"))
    actions = d.failed()
    assert "n'a pas pu être enregistrée" in texts(actions) and isinstance(actions[-1], Hangup)


def test_without_recognition_no_message_is_offered() -> None:
    d = CallbackDialog(lambda kind, text: None, messages=False)
    assert "message" not in texts(d.start("Personne ne peut répondre."))
    declined = d.step(Digits("2"))
    assert isinstance(declined[-1], Hangup) and "Au revoir" in texts(declined)
