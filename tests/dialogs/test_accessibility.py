"""Callers who hear or speak with difficulty, on the town-hall flow with the real French
understander: a slower or clearer voice kept for the whole call (and through JSON), the
keypad codes announced to the session, 'répétez' after answers, forms and errors, and every
menu and question reachable and answerable with the keypad alone."""

from __future__ import annotations

from collections import deque
from datetime import datetime
from functools import cache

import pytest

from dialogs.engine import Engine
from dialogs.events import Action, CallerInput, Digits, Listen, NoInput, Say, Utterance
from dialogs.flow_model import AskNode, FeedbackNode, MenuNode
from dialogs.loader import LoadedFlow, load_flow
from dialogs.runtime import default_flow_path, french_understander
from dialogs.services import InMemoryServices
from dialogs.state import CallState
from dialogs.understanding import Understander

NOW = datetime(2026, 5, 12, 10, 0)


@cache
def town_hall() -> tuple[LoadedFlow, Understander]:
    loaded = load_flow(default_flow_path())
    return loaded, french_understander(loaded)


def engine() -> Engine:
    loaded, understander = town_hall()
    assert loaded.hours is not None
    return Engine(loaded, understander, InMemoryServices(loaded.hours))


def says(actions: list[Action]) -> list[Say]:
    return [action for action in actions if isinstance(action, Say)]


def text(actions: list[Action]) -> str:
    return " ".join(say.text for say in says(actions))


def play(inputs: list[CallerInput]) -> tuple[CallState, list[list[Action]]]:
    call = engine()
    state, actions = call.start(NOW)
    out = [actions]
    for item in inputs:
        state = CallState.model_validate_json(state.model_dump_json())  # saved and resumed
        state, actions = call.step(state, item, NOW)
        out.append(actions)
    return state, out


@pytest.mark.parametrize("request_", [
    Utterance("parlez moins vite s'il vous plaît"),
    Utterance("plus lentement"),
    Digits("*1"),
    Digits("*1#"),
])
def test_a_slower_voice_is_asked_and_kept(request_: CallerInput) -> None:
    state, out = play([request_, Digits("1"), NoInput(), Digits("2")])
    greeting, changed, answer, silence, _ = out
    assert {say.pace for say in says(greeting)} == {1.0}
    assert says(changed)[0].text == "D'accord, je vais parler plus lentement."
    assert "Dites-moi en quelques mots" in text(changed) and state.pace == 0.8
    assert isinstance(changed[-1], Listen) and state.node == "au_revoir"
    for actions in (changed, answer, silence, out[-1]):
        assert says(actions) and {say.pace for say in says(actions)} == {0.8}
    assert state.transcript[1].pace == 0.8 and state.transcript[0].pace == 1.0


def test_slower_again_slows_down_to_a_floor_and_star_two_restores_the_voice() -> None:
    state, out = play([Digits("*1"), Digits("*1"), Digits("*1"), Digits("*1"), Digits("*2")])
    assert [says(actions)[-1].pace for actions in out] == [1.0, 0.8, 0.64, 0.6, 0.6, 1.0]
    assert "voix normale" in text(out[-1]) and not state.clear


def test_a_clearer_voice_is_flagged_for_recorded_prompts_and_a_little_slower() -> None:
    state, out = play([Utterance("parlez plus fort"), Digits("1")])
    assert all(say.clear and say.pace == 0.9 for say in says(out[1]) + says(out[2]))
    assert state.clear and "plus fort et plus clairement" in text(out[1])


def test_listen_tells_the_session_that_star_starts_a_code() -> None:
    _, actions = engine().start(NOW)
    listen = actions[-1]
    assert isinstance(listen, Listen) and listen.code_key == "*"
    assert "étoile 1" in text(actions)


def test_a_voice_request_in_a_free_message_is_part_of_the_message() -> None:
    inputs: list[CallerInput] = [
        Utterance("je voudrais laisser un message"),
        Utterance("le bus passe trop vite devant l'école"),
    ]
    state, out = play(inputs)
    assert state.pace == 1.0 and state.slots["message"] == "le bus passe trop vite devant l'école"
    assert "À quel numéro" in text(out[-1])
    state, out = play([inputs[0], Utterance("plus lentement")])
    assert state.pace == 0.8 and "message" not in state.slots


@pytest.mark.parametrize(("before", "expected"), [
    ([Utterance("quels sont les horaires de la mairie")], "du lundi au jeudi"),
    ([Digits("2"), Digits("1")], "Quel jour souhaitez-vous venir"),
    ([Digits("9")], "Cette touche ne correspond à aucun choix"),
    ([Digits("4"), Utterance("un lampadaire en panne")], "À quelle adresse"),
])
def test_repeat_says_again_the_last_thing_said(before: list[CallerInput], expected: str) -> None:
    for repeat in (Digits("*"), Utterance("répétez s'il vous plaît")):
        _, out = play([*before, repeat])
        assert text(out[-1]) == text(out[-2]) and expected in text(out[-1])
        assert isinstance(out[-1][-1], Listen)


def test_repeat_after_a_voice_change_repeats_what_was_said_before_it() -> None:
    _, out = play([Digits("1"), Digits("*1"), Digits("*")])
    assert "du lundi au jeudi" in text(out[-1]) and "plus lentement" not in text(out[-1])
    assert {say.pace for say in says(out[-1])} == {0.8}


def keyed(node: AskNode | MenuNode) -> list[str]:
    choices = node.routes if isinstance(node, AskNode) else node.choices
    return [choice.dtmf for choice in choices if choice.dtmf is not None]


def test_every_menu_and_question_of_the_town_hall_can_be_used_by_keypad_only() -> None:
    """Breadth-first over calls made of keys only: each menu or question reached is answered
    with each of its keys; every such step of the flow must be reached (the feedback question
    too, on a sampled call; the keypad menu after two wrong keys) and every key must lead
    somewhere without an error."""
    loaded, _ = town_hall()
    wanted = {node_id for node_id, node in loaded.flow.nodes.items()
              if isinstance(node, AskNode | MenuNode | FeedbackNode)}
    call = engine()
    start, _ = call.start(NOW, call_id="appel-4")  # a call sampled for the feedback question
    reached: set[str] = set()
    seen: set[tuple[str, int]] = set()
    lost, _ = call.step(start, Digits("8"), NOW)
    lost, _ = call.step(lost, Digits("8"), NOW)
    assert lost.node == loaded.flow.fallback.escalate
    queue = deque([start, lost])
    while queue:
        state = queue.popleft()
        node = loaded.flow.nodes[state.node]
        reached.add(state.node)
        keys = ["1", "2", "3", "4", "5"] if isinstance(node, FeedbackNode) else []
        if isinstance(node, AskNode | MenuNode):
            keys = keyed(node)
            assert keys, f"{state.node} has no key"
        for key in keys:
            after, actions = call.step(state, Digits(key), NOW)
            said = text(actions)
            assert "aucun choix" not in said and "erreur est survenue" not in said, (
                state.node, key, said)
            mark = (after.node, min(after.counters.get("reponses", 0), 4))
            if not after.ended and mark not in seen:
                seen.add(mark)
                queue.append(after)
    assert reached >= wanted, wanted - reached


def test_fixed_texts_name_their_recorded_prompt_and_filled_ones_do_not() -> None:
    _, out = play([Digits("*3"), Digits("2"), Digits("1"), Utterance("demain")])
    greeting = {say.prompt_id for say in says(out[0])}
    assert {"bonjour.say", "confidentialite.say", "accessibilite.say",
            "menu_principal.prompt", "menu_principal.keys"} <= greeting
    assert [say.prompt_id for say in says(out[1])][:2] == [
        "accessibility.clearer", "menu_principal.prompt"]
    assert all(say.clear for say in says(out[1]))
    assert [say.prompt_id for say in says(out[3])] == ["rdv_identite.intro", "rdv_identite.date"]
    assert "À quelle heure" in text(out[4]) and "rdv_identite.time" in {
        say.prompt_id for say in says(out[4])}
