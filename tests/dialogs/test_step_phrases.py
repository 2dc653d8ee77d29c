"""The phrases each listen step of the town-hall flow can act on (its speech grammar), with
the real French understander: pure, no speech engine."""

from __future__ import annotations

from datetime import datetime
from functools import cache

import yaml

from dialogs.engine import Engine
from dialogs.events import Listen, Utterance
from dialogs.loader import LoadedFlow, load_flow
from dialogs.nlu import FrenchUnderstander
from dialogs.phrases import CONFIRM, MAX_PHRASES, ListenStep, listen_steps, step_phrases
from dialogs.runtime import default_flow_path, french_understander
from dialogs.services import InMemoryServices
from dialogs.understanding import Understander

NOW = datetime(2026, 5, 12, 10, 0)


@cache
def town_hall() -> tuple[LoadedFlow, Understander]:
    loaded = load_flow(default_flow_path())
    return loaded, french_understander(loaded)


def phrases(node: str, slot: str | None = None) -> tuple[str, ...]:
    loaded, understander = town_hall()
    found = step_phrases(loaded, understander, ListenStep(node, slot))
    assert not found.free_text
    return found.phrases


def test_a_menu_hears_its_hints_labels_intents_and_the_global_phrases() -> None:
    loaded, understander = town_hall()
    said = phrases("menu_principal")
    node = loaded.flow.nodes["menu_principal"]
    assert said[: len(node.hints)] == tuple(h.lower() for h in node.hints)  # hints first
    assert "une carte d'identité ou un passeport" in said  # a choice's label
    assert "quels sont les horaires de la mairie" in said  # an example of a choice's intent
    assert "besoin d'aide" in said and "moins vite" in said  # global help, accessibility
    assert isinstance(understander, FrenchUnderstander)
    examples = {e.lower() for i in understander.model.intents if i.name == "agent"
                for e in i.examples}
    assert examples & set(said)  # the global agent intent's examples
    assert "oui" not in said  # no spoken yes/no leads anywhere from this menu
    assert len(said) == len(set(said)) <= MAX_PHRASES


def test_a_yes_no_question_hears_yes_and_no_and_its_inherited_intents() -> None:
    said = phrases("etat_civil_suite")
    assert {"oui", "non", "d'accord", "pas du tout"} <= set(said)
    assert "quels sont les horaires de la mairie" in said  # inherit: menu_principal


def test_form_slots_hear_the_words_of_their_values() -> None:
    date = set(phrases("rdv_identite", "date"))
    assert {"lundi", "samedi", "janvier", "août", "demain", "premier", "trente", "et", "un"} \
        <= date
    time = set(phrases("rdv_identite", "time"))
    assert {"heures", "midi", "et demie", "quinze", "le premier"} <= time
    phone = set(phrases("rdv_identite", "phone"))
    assert {"zéro", "six", "neuf", "soixante-dix", "quatre-vingt", "douze"} <= phone
    assert "janvier" in phone  # a date said with the phone number is taken too
    assert "janvier" not in set(phrases("rappel", "phone"))  # a form without a date
    confirm = set(phrases("rdv_identite", CONFIRM))
    assert {"oui", "non", "heures", "lundi", "zéro"} <= confirm  # "non, à onze heures"
    problem = set(phrases("signalement", "problem"))
    assert "lampadaire" in problem  # the entity table of the slot's kind


def test_a_feedback_scale_hears_its_numbers() -> None:
    said = set(phrases("avis"))
    assert {"un", "deux", "trois", "quatre", "cinq"} <= said
    assert "soixante" not in said


def test_free_text_steps_have_no_phrases() -> None:
    loaded, understander = town_hall()
    steps = listen_steps(loaded)
    free = {(s.node, s.slot) for s in steps
            if step_phrases(loaded, understander, s).free_text}
    assert free == {("rdv_identite", "name"), ("signalement", "address"),
                    ("signalement", "description"), ("message", "message")}
    assert all(not step_phrases(loaded, understander, ListenStep(*step)).phrases
               for step in free)


def test_the_flow_says_which_steps_take_free_text(tmp_path: object) -> None:
    source = yaml.safe_load(default_flow_path().read_text(encoding="utf-8"))
    source["nodes"]["menu_principal"]["free_text"] = True
    name_slot = next(s for s in source["nodes"]["rdv_identite"]["slots"] if s["kind"] == "name")
    name_slot["free_text"] = False
    name_slot["hints"] = ["dupont", "martin"]
    for key in ("nlu", "knowledge", "hours", "announcements"):
        source[key] = str(default_flow_path().parent / source[key])
    path = tmp_path / "flow.yaml"  # type: ignore[operator]
    path.write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    loaded = load_flow(path)
    understander = french_understander(loaded)
    menu = step_phrases(loaded, understander, ListenStep("menu_principal"))
    assert menu.free_text and menu.phrases == ()
    name = step_phrases(loaded, understander, ListenStep("rdv_identite", "name"))
    assert not name.free_text and name.phrases[:2] == ("dupont", "martin")


def test_phrases_are_bounded_and_deterministic() -> None:
    loaded, understander = town_hall()
    for step in listen_steps(loaded):
        first = step_phrases(loaded, understander, step)
        again = step_phrases(loaded, FrenchUnderstander.from_file(loaded.nlu_path), step)
        assert first == again
        assert len(first.phrases) <= MAX_PHRASES
        assert all(p == p.lower().strip() and p for p in first.phrases)
    menu = step_phrases(loaded, understander, ListenStep("menu_principal"))
    assert menu.truncated > 0 and len(menu.phrases) == MAX_PHRASES  # many intents: cut
    # the cut keeps some phrases of every intent of the menu
    model = understander.model  # type: ignore[attr-defined]
    for intent in ("horaires", "dechets", "elections", "ecole"):
        examples = {e.lower() for i in model.intents if i.name == intent for e in i.examples}
        assert examples & set(menu.phrases), intent


def test_the_engine_listens_with_the_step_phrases() -> None:
    loaded, understander = town_hall()
    engine = Engine(loaded, understander, InMemoryServices(loaded.hours))
    state, actions = engine.start(NOW, "appel-0")
    [listen] = [a for a in actions if isinstance(a, Listen)]
    assert listen.phrases == phrases("menu_principal") and not listen.free_text
    assert listen.hints == tuple(loaded.flow.nodes["menu_principal"].hints)
    state, actions = engine.step(
        state, Utterance("je voudrais un rendez-vous pour une carte d'identité"), NOW)
    [listen] = [a for a in actions if isinstance(a, Listen)]
    assert state.node == "rdv_identite" and state.form_slot == "date"
    assert "janvier" in listen.phrases
    for answer in ("mercredi", "dix heures"):
        state, actions = engine.step(state, Utterance(answer), NOW)
    [listen] = [a for a in actions if isinstance(a, Listen)]
    assert state.form_slot == "name"
    assert listen.free_text and listen.phrases == ()
