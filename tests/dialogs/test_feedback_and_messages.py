"""What citizens report and think, on the town-hall flow with the real French understander:
the satisfaction question (deterministic sampling, answers by key or voice, stored through
`Services.record_feedback`), and free messages filed as tickets of kind 'message' with the
call's transcript, for the service concerned."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

from dialogs.engine import Engine
from dialogs.errors import ServiceError
from dialogs.events import Action, CallerInput, Digits, Hangup, Listen, NoInput, Say, Utterance
from dialogs.loader import LoadedFlow, load_flow
from dialogs.nodes.feedback import sampled
from dialogs.runtime import default_flow_path, french_understander
from dialogs.services import InMemoryServices
from dialogs.state import CallState, FeedbackAnswer
from dialogs.understanding import Understander

NOW = datetime(2026, 5, 12, 10, 0)
SAMPLED, NOT_SAMPLED = "appel-4", "appel-0"


@cache
def town_hall() -> tuple[LoadedFlow, Understander]:
    loaded = load_flow(default_flow_path())
    return loaded, french_understander(loaded)


class FeedbackDeskDown(InMemoryServices):
    def record_feedback(self, call_id: str, feedback: FeedbackAnswer) -> None:
        raise ServiceError("survey database unreachable")


def play(
    inputs: list[CallerInput], call_id: str = SAMPLED, services: InMemoryServices | None = None
) -> tuple[CallState, list[list[Action]], InMemoryServices]:
    loaded, understander = town_hall()
    assert loaded.hours is not None
    services = services if services is not None else InMemoryServices(loaded.hours)
    call = Engine(loaded, understander, services)
    state, actions = call.start(NOW, call_id=call_id)
    out = [actions]
    for item in inputs:
        state = CallState.model_validate_json(state.model_dump_json())
        state, actions = call.step(state, item, NOW)
        out.append(actions)
    return state, out, services


def text(actions: list[Action]) -> str:
    return " ".join(action.text for action in actions if isinstance(action, Say))


def test_sampling_is_deterministic_and_near_the_rate() -> None:
    ids = [f"appel-{number}" for number in range(4000)]
    chosen = [call_id for call_id in ids if sampled(call_id, 0.3)]
    assert chosen == [call_id for call_id in ids if sampled(call_id, 0.3)]
    assert 0.27 < len(chosen) / len(ids) < 0.33
    assert all(sampled(call_id, 1.0) for call_id in ids[:50])
    assert not any(sampled(call_id, 0.0) for call_id in ids[:50])
    assert sampled(SAMPLED, 0.3) and not sampled(NOT_SAMPLED, 0.3)


def test_a_keypad_score_is_stored_with_the_call() -> None:
    state, out, services = play([Digits("1"), Digits("2"), Digits("5")])
    assert "êtes-vous satisfait" in text(out[2]) and isinstance(out[2][-1], Listen)
    assert "Merci pour votre avis" in text(out[3]) and isinstance(out[3][-1], Hangup)
    answer = FeedbackAnswer(scale="1-5", score=5, comment="")
    assert state.feedback == answer and services.feedback == [(SAMPLED, answer)]
    assert state.transcript[-1].feedback == 5 and state.call_id == SAMPLED


def test_a_spoken_score_keeps_the_words_and_a_low_one_offers_a_message() -> None:
    state, out, services = play([Digits("1"), Utterance("non"), Utterance("deux sur cinq")])
    assert services.feedback == [
        (SAMPLED, FeedbackAnswer(scale="1-5", score=2, comment="deux sur cinq"))]
    assert state.node == "avis_message" and "ce qui n'allait pas" in text(out[-1])


def test_a_call_not_sampled_or_not_served_is_not_asked() -> None:
    for call_id, inputs in ((NOT_SAMPLED, [Digits("1"), Digits("2")]),
                            (SAMPLED, [Utterance("au revoir")])):
        state, out, services = play(list(inputs), call_id)
        assert state.ended and "satisfait" not in text(out[-1]) and services.feedback == []


def test_silence_or_an_odd_answer_moves_on_without_insisting() -> None:
    for answer in (NoInput(), Digits("9"), Utterance("c était moyen")):
        state, out, services = play([Digits("1"), Digits("2"), answer])
        assert state.ended and state.node == "au_revoir" and services.feedback == []
        assert "Je n'ai pas bien compris" not in text(out[-1])
        assert state.call_failures == 0


def test_the_question_is_asked_once_and_a_failing_store_does_not_bother_the_caller() -> None:
    loaded, _ = town_hall()
    assert loaded.hours is not None
    state, out, _ = play([Digits("1"), Utterance("au revoir"), Utterance("au revoir")])
    assert state.ended and state.feedback is None
    assert "satisfait" not in text(out[-1])
    state, out, _ = play([Digits("1"), Digits("2"), Digits("4")],
                         services=FeedbackDeskDown(loaded.hours))
    assert state.feedback is not None and state.feedback.score == 4
    assert "Merci pour votre avis" in text(out[-1]) and state.ended


def test_a_free_message_becomes_a_message_ticket_with_the_transcript() -> None:
    state, out, services = play([
        Utterance("bonjour je voudrais laisser un message"),
        Utterance("les lampadaires de la place restent allumés toute la journée"),
        Digits("0612345678#"),
        Utterance("oui"),
    ], call_id="appel-42")
    assert "référence M 1 0 0 1" in text(out[-1]) and state.node == "autre_demande"
    (ticket,) = services.tickets
    assert (ticket.reference, ticket.kind, ticket.service, ticket.call_id) == (
        "M1001", "message", "accueil", "appel-42")
    assert ticket.fields == {
        "message": "les lampadaires de la place restent allumés toute la journée",
        "phone": "0612345678",
    }
    assert "appelant : bonjour je voudrais laisser un message" in ticket.transcript
    assert "appelant : (touches 0612345678#)" in ticket.transcript
    assert any(line.startswith("assistant : Je vous écoute") for line in ticket.transcript)


def test_a_message_goes_to_the_service_the_call_was_about() -> None:
    evening = datetime(2026, 5, 12, 19, 0)  # urbanisme closed: the caller leaves a message
    loaded, understander = town_hall()
    assert loaded.hours is not None
    services = InMemoryServices(loaded.hours)
    call = Engine(loaded, understander, services)
    state, _ = call.start(evening)
    for item in (Digits("5"), Digits("2"), Digits("1")):
        state, _ = call.step(state, item, evening)
    assert state.service == "urbanisme" and state.node == "rappel"
    for item in (Utterance("je préfère laisser un message"), Utterance("mon permis est bloqué"),
                 Digits("0612345678#"), Digits("1")):
        state, _ = call.step(state, item, evening)
    assert [(t.kind, t.service) for t in services.tickets] == [("message", "urbanisme")]


def test_an_incident_ticket_carries_the_call_id_and_stays_an_incident() -> None:
    _, _, services = play([
        Digits("4"), Utterance("un lampadaire en panne"), Utterance("douze rue des lilas"),
        Utterance("il clignote toute la nuit"), Digits("0612345678#"), Digits("1"),
    ], call_id="appel-43")
    (ticket,) = services.tickets
    assert (ticket.reference, ticket.kind, ticket.call_id, ticket.transcript) == (
        "S1001", "incident", "appel-43", ())


def test_a_yes_no_scale_stores_one_or_zero_and_every_call_can_be_asked(tmp_path: Path) -> None:
    folder = default_flow_path().parent
    for path in folder.glob("mairie.*"):
        (tmp_path / path.name).write_text(path.read_text("utf-8"), encoding="utf-8")
    flow = tmp_path / "mairie.yaml"
    text_ = flow.read_text("utf-8").replace('scale: "1-5"', "scale: yes_no").replace(
        "sample_rate: 0.3", "sample_rate: 1.0")
    flow.write_text(text_, encoding="utf-8")
    loaded = load_flow(flow)
    _, understander = town_hall()
    assert loaded.hours is not None
    for call_id, answer, score in (("a", Utterance("oui tout à fait"), 1), ("b", Digits("2"), 0)):
        services = InMemoryServices(loaded.hours)
        call = Engine(loaded, understander, services)
        state, _ = call.start(NOW, call_id=call_id)
        for item in (Digits("1"), Digits("2"), answer):
            state, _ = call.step(state, item, NOW)
        assert [(i, f.scale, f.score) for i, f in services.feedback] == [
            (call_id, "yes_no", score)]
        assert state.node == ("au_revoir" if score else "avis_message")


def test_a_message_goes_to_the_service_the_caller_names() -> None:
    _, _, services = play([
        Utterance("je voudrais laisser un message pour le service urbanisme"),
        Utterance("mon voisin construit sans permis"), Digits("0612345678#"), Digits("1"),
    ])
    assert [(t.kind, t.service) for t in services.tickets] == [("message", "urbanisme")]
