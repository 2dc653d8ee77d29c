"""The learning page: missed caller phrases grouped from stored turns, a group assigned to an
intent as a new (checked, unpublished) version, and an assignment that breaks held-out lines
refused with those lines shown."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ivr.storage import calls, flow_bundles, flows
from ivr.storage.database import Database
from tests.web.conftest import api_login
from tests.web.flows import store_mairie

HOURS = ["c'est ouvert quand la mairie le samedi matin", "vous ouvrez quand le samedi"]
NOT_BYE = ["bonjour la mairie ouvre à quelle heure demain matin",
           "vous êtes ouverts jusqu'à quelle heure ce soir là",
           "je voulais connaître vos horaires svp", "vous ouvrez le lundi",
           "heures d'ouverture", "vous fermez à quelle heure"]


def _record_calls(database: Database) -> None:
    with database.transaction() as s:
        for number, text in enumerate([*HOURS, HOURS[1], "bonjour je voudrais des horaires"]):
            call_id = f"call-{number}"
            calls.start_call(s, call_id, None)
            understood = number == 3  # well understood: not listed
            calls.add_turn(s, call_id, "caller", text, intent="horaires" if understood else None,
                           confidence=0.9, intent_confidence=0.9 if understood else None)
            calls.add_turn(s, call_id, "caller", "[silence]")
        calls.start_call(s, "call-low", None)
        # well heard (ASR 0.95), barely understood (NLU 0.05): the "not understood" list
        calls.add_turn(s, "call-low", "caller", "le truc des poubelles", intent="dechets",
                       confidence=0.95, intent_confidence=0.05)
        # barely heard (ASR 0.35), well understood (NLU 0.9): the "misheard" list only
        calls.add_turn(s, "call-low", "caller", "les heures de la mérie", intent="horaires",
                       confidence=0.35, intent_confidence=0.9)
        # too unsure for the flow to act on (ASR 0.1 < the flow's 0.2): misheard, never
        # seen by the understander, so not in the "not understood" list
        calls.add_turn(s, "call-low", "caller", "zzz brouillé", confidence=0.1)


def _lists(html: str) -> tuple[str, str]:
    """The page's "not understood" part and its "misheard" part."""
    start, middle = html.index('id="mal-compris"'), html.index('id="mal-entendu"')
    return html[start:middle], html[middle:]


def _assign(client: TestClient, token: str, target: str, phrases: list[str]) -> object:
    return client.post("/admin/apprentissage", data={
        "csrf_token": token, "parcours": "mairie", "intention": target, "phrase": phrases})


def test_missed_phrases_are_grouped_and_a_group_becomes_examples_in_a_new_version(
    client: TestClient, web_db: Database
) -> None:
    store_mairie(web_db)
    _record_calls(web_db)
    token = api_login(client, "alice")["X-CSRF-Token"]
    page = client.get("/admin/apprentissage")
    assert page.status_code == 200, page.text
    assert "vous ouvrez quand le samedi" in page.text and "(3 fois)" in page.text
    understood, heard = _lists(page.text)
    assert "le truc des poubelles" in understood  # understood, but below the threshold
    assert "le truc des poubelles" not in heard
    assert "les heures de la mérie" in heard and "les heures de la mérie" not in understood
    assert "zzz brouillé" in heard and "zzz brouillé" not in understood
    assert "vous ouvrez quand le samedi" not in heard  # heard with 0.9
    assert "confiance d’intention sous 0,23" in page.text
    assert "confiance de reconnaissance vocale sous 0,50" in page.text
    assert "bonjour je voudrais des horaires" not in page.text
    assert "[silence]" not in page.text
    assert '<label for="intention-1">' in page.text
    answer = _assign(client, token, "horaires", HOURS)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/admin/flows/mairie/2?fait=enregistre"
    with web_db.transaction() as s:
        new = flow_bundles.get_bundle(s, "mairie", 2)
        assert flow_bundles.published_version(s, "mairie") == 1  # the admin publishes it
    intents = new.text("mairie.intents.yaml") or ""
    assert all(phrase in intents for phrase in HOURS)
    assert client.get("/agent").status_code == 200  # still signed in


def test_an_assignment_that_breaks_held_out_lines_is_refused_and_nothing_is_stored(
    client: TestClient, web_db: Database
) -> None:
    store_mairie(web_db)
    token = api_login(client, "alice")["X-CSRF-Token"]
    refused = _assign(client, token, "au_revoir", NOT_BYE)
    assert refused.status_code == 422
    assert "Refusé" in refused.text
    assert "bonjour la mairie ouvre à quelle heure demain" in refused.text  # the broken line
    unknown = _assign(client, token, "pas_une_intention", HOURS)
    assert unknown.status_code == 422
    with web_db.transaction() as s:
        assert [v.version for v in flows.list_versions(s, "mairie")] == [1]
    assert client.post("/admin/apprentissage", data={
        "csrf_token": "wrong", "intention": "horaires", "phrase": HOURS}).status_code == 403


def test_agents_cannot_see_the_learning_page(client: TestClient, web_db: Database) -> None:
    store_mairie(web_db)
    api_login(client, "bob")
    assert client.get("/admin/apprentissage").status_code == 403
