"""The dialogue engine on a small flow, with a keyword understander double: greeting,
global handlers, escalation, forms, services, transfers, transcript, JSON state."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from dialogs.engine import Engine
from dialogs.events import Action, CallerInput, Digits, Hangup, Listen, NoInput, Say, Transfer
from dialogs.events import Utterance as U
from dialogs.loader import LoadedFlow, load_flow
from dialogs.services import FiledTicket, InMemoryServices
from dialogs.state import CallState
from tests.dialogs.flow_doubles import (
    AgendaDown,
    BrokenServices,
    CrashingUnderstander,
    KeywordUnderstander,
)

FLOW = Path(__file__).parent / "flows" / "demo.yaml"
TUESDAY_10 = datetime(2026, 5, 12, 10, 0)
SUNDAY = datetime(2026, 5, 17, 10, 0)


@pytest.fixture(scope="module")
def loaded() -> LoadedFlow:
    return load_flow(FLOW)


def make(loaded: LoadedFlow, services: InMemoryServices | None = None) -> Engine:
    assert loaded.hours is not None
    return Engine(loaded, KeywordUnderstander(), services or InMemoryServices(loaded.hours))


def play(
    engine: Engine, inputs: list[CallerInput], now: datetime = TUESDAY_10
) -> tuple[CallState, list[list[Action]]]:
    state, actions = engine.start(now)
    out = [actions]
    for item in inputs:
        state, actions = engine.step(state, item, now)
        out.append(actions)
    return state, out


def said(actions: list[Action]) -> str:
    return " ".join(a.text for a in actions if isinstance(a, Say))


def test_start_greets_and_listens_with_keys_announced(loaded: LoadedFlow) -> None:
    state, actions = make(loaded).start(TUESDAY_10)
    assert said(actions).startswith("Bonjour. Que voulez-vous ?")
    assert "Tapez 1 pour les horaires, 2 pour un rendez-vous" in said(actions)
    assert "ou 0 pour parler à un conseiller" in said(actions)
    assert isinstance(actions[-1], Listen)
    assert state.node == "menu" and not state.ended
    assert state.transcript[0].input == "start"


def test_holiday_condition_changes_the_greeting(loaded: LoadedFlow) -> None:
    _, actions = make(loaded).start(datetime(2026, 5, 25, 10, 0))  # lundi de Pentecôte
    assert said(actions).startswith("Jour férié. Bonjour.")


def test_answer_by_topic_picks_the_closest_entry(loaded: LoadedFlow) -> None:
    state, out = play(make(loaded), [U("les horaires de la piscine")])
    assert "La piscine ouvre à 10 heures." in said(out[1])
    assert state.node == "suite"
    state, out = play(make(loaded), [Digits("1")])
    assert "Le guichet est ouvert du lundi au mercredi de 9 heures à midi." in said(out[1])
    assert state.counters == {"questions": 1} and state.slots["vu"] == "oui"


def test_counter_condition_ends_after_two_questions(loaded: LoadedFlow) -> None:
    state, out = play(make(loaded), [Digits("1"), U("oui"), Digits("1")])
    assert isinstance(out[-1][-1], Hangup) and state.ended
    assert said(out[-1]).endswith("Au revoir.")


def test_repeat_says_the_last_turn_again(loaded: LoadedFlow) -> None:
    state, out = play(make(loaded), [Digits("1"), Digits("*")])
    assert said(out[2]) == said(out[1])
    state, out = play(make(loaded), [Digits("1"), U("répétez")])
    assert said(out[2]) == said(out[1]) and state.node == "suite"


def test_help_says_the_node_help_then_the_question(loaded: LoadedFlow) -> None:
    state, out = play(make(loaded), [U("aide")])
    assert said(out[1]).startswith("Aide du menu. Que voulez-vous ?")
    state, out = play(make(loaded), [Digits("1"), U("je ne sais pas trop")])
    assert said(out[2]).startswith("Voici l'aide. Autre chose ?")
    assert state.no_match == 0


@pytest.mark.parametrize(
    "inputs",
    [
        [Digits("0")],
        [U("un conseiller svp")],
        [Digits("2"), Digits("0")],
        [Digits("2"), U("2026-05-13"), U("passez-moi un conseiller")],
    ],
)
def test_agent_at_any_step_transfers_with_context(
    loaded: LoadedFlow, inputs: list[CallerInput]
) -> None:
    state, out = play(make(loaded), inputs)
    transfer = out[-1][-1]
    assert isinstance(transfer, Transfer)
    assert (transfer.queue, transfer.reason) == ("guichet", "Demande un conseiller")
    assert state.ended and state.transcript[-1].action == "transfer"
    assert ("intent", state.last_intent or "") in transfer.context


def test_agent_when_closed_takes_a_callback_request(loaded: LoadedFlow) -> None:
    services = InMemoryServices(load_flow(FLOW).hours)  # type: ignore[arg-type]
    engine = make(loaded, services)
    state, out = play(engine, [Digits("0"), U("0612345678"), Digits("1")], now=SUNDAY)
    assert "Le guichet est fermé en ce moment." in said(out[1])
    assert "Le guichet est ouvert du lundi au mercredi" in said(out[1])
    assert said(out[1]).endswith("Votre numéro ?")
    assert "Rappel au 06 12 34 56 78 ?" in said(out[2])
    assert "Rappel noté, référence C 1 0 0 1." in said(out[3])
    assert services.callbacks == [("C1001", "guichet", "0612345678", "Demande un conseiller")]
    assert state.ended and not any(isinstance(a, Transfer) for a in out[3])


def test_closure_and_holiday_close_the_service(loaded: LoadedFlow) -> None:
    _, out = play(make(loaded), [Digits("0")], now=datetime(2026, 5, 20, 10, 0))
    assert "fermé en ce moment (inventaire)" in said(out[1])
    _, out = play(make(loaded), [Digits("0")], now=datetime(2026, 5, 25, 10, 0))
    assert "(jour férié (lundi de Pentecôte))" in said(out[1])


def test_goodbye_hangs_up_and_later_input_does_nothing(loaded: LoadedFlow) -> None:
    engine = make(loaded)
    state, out = play(engine, [U("au revoir")])
    assert isinstance(out[1][-1], Hangup) and state.ended
    again, actions = engine.step(state, U("allo"), TUESDAY_10)
    assert actions == [] and again is state


def test_no_input_then_no_match_escalate_to_the_keypad_menu(loaded: LoadedFlow) -> None:
    state, out = play(make(loaded), [NoInput(), U("blabla")])
    assert said(out[1]).startswith("Je ne vous entends pas. Que voulez-vous ?")
    assert said(out[2]).startswith("Je n'ai pas bien compris. Utilisez le clavier.")
    assert state.node == "clavier"


def test_failures_at_the_escalation_menu_give_up_to_an_agent(loaded: LoadedFlow) -> None:
    state, out = play(make(loaded), [NoInput(), NoInput(), NoInput(), NoInput()])
    assert isinstance(out[-1][-1], Transfer) and state.gave_up


@pytest.mark.parametrize("now", [TUESDAY_10, SUNDAY])
@pytest.mark.parametrize("silence", [NoInput(), U("blabla"), Digits("7")])
def test_a_call_never_loops_forever(
    loaded: LoadedFlow, now: datetime, silence: CallerInput
) -> None:
    engine = make(loaded)
    state, _ = engine.start(now)
    for _ in range(40):
        state, _ = engine.step(state, silence, now)
        if state.ended:
            break
    assert state.ended
    assert state.turns <= loaded.flow.fallback.max_call_failures + 2


def test_booking_a_taken_slot_proposes_free_ones(loaded: LoadedFlow) -> None:
    assert loaded.hours is not None
    services = InMemoryServices.with_booked(loaded.hours, [("guichet", date(2026, 5, 13), "10:00")])
    engine = make(loaded, services)
    state, out = play(engine, [
        U("un rendez-vous demain à 10h"), U("le premier"), U("dupont"), Digits("0611223344#"),
        U("oui"),
    ])
    assert "Le créneau de 10 heures n'est pas disponible le mercredi 13 mai" in said(out[1])
    assert "Je peux vous proposer 9 heures et 11 heures." in said(out[1])
    assert said(out[2]) == "Votre nom ?"
    assert said(out[4]).startswith("Le mercredi 13 mai à 9 heures pour Dupont au 06 11 22 33 44 ?")
    assert said(out[5]).startswith("Réservé, référence R 1 0 0 1. Autre chose ?")
    assert [b.reference for b in services.bookings] == ["R1001"]
    assert (services.bookings[0].day, services.bookings[0].time) == (date(2026, 5, 13), "09:00")
    assert state.slots["reference"] == "R1001"


def test_a_day_without_free_slots_names_the_next_open_day(loaded: LoadedFlow) -> None:
    state, out = play(make(loaded), [Digits("2"), U("2026-05-14")])
    assert "Il n'y a pas de rendez-vous libre le jeudi 14 mai." in said(out[2])
    assert "Le premier jour disponible est le lundi 18 mai." in said(out[2])
    assert state.form_slot == "date" and state.no_match == 0


def test_past_date_and_short_phone_are_refused(loaded: LoadedFlow) -> None:
    _, out = play(make(loaded), [Digits("2"), U("2026-05-01")])
    assert said(out[2]).startswith("Cette date est déjà passée. Quel jour ?")
    _, out = play(make(loaded), [
        Digits("2"), U("2026-05-13"), U("11h"), U("martin"), U("06 12"),
    ])
    assert said(out[5]).startswith("Ce numéro ne semble pas complet")


def test_denying_the_confirmation_restarts_then_escalates(loaded: LoadedFlow) -> None:
    state, out = play(make(loaded), [Digits("3"), U("lampe cassée"), U("non")])
    assert said(out[3]) == "D'accord, reprenons. Décrivez."
    state, out = play(make(loaded), [
        Digits("3"), U("lampe cassée"), Digits("2"), U("lampe"), Digits("2"),
    ])
    assert state.node == "clavier"


def test_ticket_gets_a_reference_and_a_failing_desk_escalates(loaded: LoadedFlow) -> None:
    assert loaded.hours is not None
    services = InMemoryServices(loaded.hours)
    _, out = play(make(loaded, services), [Digits("3"), U("lampe cassée"), U("oui")])
    assert said(out[3]).startswith("Ticket S 1 0 0 1.")
    assert services.tickets == [FiledTicket("S1001", "guichet", {"description": "lampe cassée"})]
    state, out = play(make(loaded, BrokenServices(loaded.hours)),
                      [Digits("3"), U("lampe"), U("oui")])
    assert said(out[3]).startswith("Désolé, je n'ai pas pu enregistrer votre demande.")
    assert state.node == "clavier"


def test_a_crashing_boundary_ends_the_call_politely(loaded: LoadedFlow) -> None:
    assert loaded.hours is not None
    engine = Engine(loaded, CrashingUnderstander(), InMemoryServices(loaded.hours))
    state, actions = engine.start(TUESDAY_10)
    state, actions = engine.step(state, U("bonjour"), TUESDAY_10)
    assert said(actions).startswith("Je suis désolé")
    assert isinstance(actions[-1], Hangup) and "RuntimeError" in actions[-1].reason
    assert state.ended


def test_step_does_not_change_the_state_passed_in(loaded: LoadedFlow) -> None:
    engine = make(loaded)
    state, _ = engine.start(TUESDAY_10)
    before = state.model_dump_json()
    engine.step(state, Digits("2"), TUESDAY_10)
    assert state.model_dump_json() == before


def test_state_round_trips_through_json_and_resumes(loaded: LoadedFlow) -> None:
    inputs: list[CallerInput] = [Digits("2"), U("2026-05-13"), U("11h"), U("dupont"),
                                 U("0611223344"), U("oui"), U("non")]
    straight, straight_out = play(make(loaded), inputs)
    engine = make(loaded)
    state, _ = engine.start(TUESDAY_10)
    resumed_out = []
    for item in inputs:
        text = state.model_dump_json()
        state = CallState.model_validate_json(text)
        assert state.model_dump_json() == text
        state, actions = engine.step(state, item, TUESDAY_10)
        resumed_out.append(actions)
    assert resumed_out == straight_out[1:]
    assert state.model_dump() == straight.model_dump()


def test_transcript_records_every_turn(loaded: LoadedFlow) -> None:
    state, _ = play(make(loaded), [U("les horaires"), Digits("*"), NoInput(), U("au revoir")])
    turns = state.transcript
    assert [t.index for t in turns] == [0, 1, 2, 3, 4]
    assert [t.input for t in turns] == ["start", "speech", "dtmf", "silence", "speech"]
    assert turns[1].text == "les horaires" and turns[1].intent == "horaires"
    assert turns[1].intent_confidence == pytest.approx(0.95)
    assert turns[2].digits == "*" and turns[2].node == "suite"
    assert turns[4].action == "hangup" and turns[4].at == "2026-05-12T10:00:00"
    assert all(turn.say for turn in turns)


def test_same_inputs_give_the_same_call(loaded: LoadedFlow) -> None:
    inputs: list[CallerInput] = [U("rendez-vous demain"), U("9h"), NoInput(), U("x y")]
    first, _ = play(make(loaded), inputs)
    second, _ = play(make(loaded), inputs)
    assert first.model_dump() == second.model_dump()


def test_help_phrases_one_word_whole_longer_anywhere(loaded: LoadedFlow) -> None:
    _, out = play(make(loaded), [U("aide sociale")])
    assert said(out[1]).startswith("Je n'ai pas bien compris.")
    _, out = play(make(loaded), [U("euh je ne sais pas quoi dire")])
    assert said(out[1]).startswith("Aide du menu.")


def test_endless_repeats_end_at_the_turn_limit(loaded: LoadedFlow) -> None:
    engine = make(loaded)
    state, _ = engine.start(TUESDAY_10)
    for _ in range(loaded.flow.fallback.max_turns + 5):
        state, actions = engine.step(state, Digits("*"), TUESDAY_10)
        if state.ended:
            break
    assert state.ended and state.turns == loaded.flow.fallback.max_turns + 1
    assert isinstance(actions[-1], Hangup) and actions[-1].reason == "trop d'échanges"


def test_the_clock_passed_in_reaches_the_understander(loaded: LoadedFlow) -> None:
    understander = KeywordUnderstander()
    assert loaded.hours is not None
    engine = Engine(loaded, understander, InMemoryServices(loaded.hours))
    state, _ = engine.start(datetime(2026, 6, 1, 9, 0))
    state, _ = engine.step(state, U("rendez-vous demain"), datetime(2026, 6, 1, 9, 0))
    assert state.slots["date"] == "2026-06-02"
    assert ("understand", "rendez-vous demain") in understander.calls


def test_a_correction_at_the_confirmation_replaces_the_value(loaded: LoadedFlow) -> None:
    state, out = play(make(loaded), [
        Digits("2"), U("2026-05-13"), U("9h"), U("dupont"), U("0611223344"),
        U("non à 11h"), U("non le 2026-05-18"), U("oui"),
    ])
    assert said(out[6]).startswith("D'accord, je corrige. Le mercredi 13 mai à 11 heures pour")
    assert said(out[7]).startswith("D'accord, je corrige. Le lundi 18 mai à 11 heures pour")
    assert state.slots["reference"] == "R1001" and state.form_denials == 0


def test_a_new_day_drops_a_time_that_is_not_free_then(loaded: LoadedFlow) -> None:
    assert loaded.hours is not None
    services = InMemoryServices.with_booked(loaded.hours, [("guichet", date(2026, 5, 18), "09:00")])
    state, out = play(make(loaded, services), [
        Digits("2"), U("2026-05-13"), U("9h"), U("dupont"), U("0611223344"),
        U("non le 2026-05-18"),
    ])
    assert said(out[6]) == "D'accord, je corrige. Quelle heure ?"
    assert state.slots["date"] == "2026-05-18" and "time" not in state.slots


def test_an_unreadable_agenda_escalates_instead_of_failing(loaded: LoadedFlow) -> None:
    assert loaded.hours is not None
    state, out = play(make(loaded, AgendaDown(loaded.hours)), [Digits("2"), U("2026-05-13")])
    assert said(out[2]).startswith("Désolé, je n'ai pas pu enregistrer votre demande.")
    assert state.node == "clavier" and not state.ended
    state, out = play(make(loaded, AgendaDown(loaded.hours)), [U("rendez-vous demain")])
    assert state.node == "clavier"


def test_unsure_speech_is_not_acted_on(loaded: LoadedFlow) -> None:
    flow = loaded.flow.model_copy(update={"asr_confidence": 0.5})
    unsure = LoadedFlow(loaded.path, flow, loaded.knowledge, loaded.hours, None, loaded.intents)
    state, out = play(make(unsure), [U("un conseiller", confidence=0.3)])
    assert said(out[1]).startswith("Je n'ai pas bien entendu. Que voulez-vous ?")
    assert state.no_match == 1 and not state.ended
    state, out = play(make(unsure), [U("un conseiller", confidence=0.6)])
    assert isinstance(out[1][-1], Transfer)


def test_times_already_past_today_are_not_offered(loaded: LoadedFlow) -> None:
    state, out = play(make(loaded), [Digits("2"), U("2026-05-12"), U("9h")])
    assert "Le créneau de 9 heures n'est pas disponible le mardi 12 mai" in said(out[3])
    assert "Je peux vous proposer 11 heures." in said(out[3]) and state.proposed == ["11:00"]
    _, out = play(make(loaded), [Digits("2"), U("2026-05-12")], now=datetime(2026, 5, 12, 11, 30))
    assert "Le premier jour disponible est le mercredi 13 mai." in said(out[2])
