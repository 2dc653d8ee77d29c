"""The learning page's "new answer" action, end to end: a group of missed phrases becomes a
new intent answered by a new knowledge-base entry, in a new version checked by the
conversation tests and the held-out precision check; once published, a later citizen's new
phrasing gets the new answer in the web chat. A group that would break held-out lines is
refused and nothing is stored."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi.testclient import TestClient

from ivr.storage import calls, flow_bundles, flows
from ivr.storage.database import Database
from tests.dialogs.test_new_answer import ANSWER, GRAVES, HALL, LATER
from tests.web.conftest import api_login, chat_say, chat_start
from tests.web.flows import store_mairie


def record_missed(database: Database, phrases: list[str]) -> None:
    with database.transaction() as s:
        for number, text in enumerate(phrases):
            calls.start_call(s, f"missed-{number}", None)
            calls.add_turn(s, f"missed-{number}", "caller", text, confidence=0.93)


def _new_answer(client: TestClient, token: str, title: str, phrases: list[str],
                answer: str = ANSWER) -> Any:
    return client.post("/admin/apprentissage/reponse", data={
        "csrf_token": token, "parcours": "mairie", "titre": title, "reponse": answer,
        "phrase": phrases}, follow_redirects=False)


def test_a_group_becomes_a_new_answer_that_a_later_citizen_gets(
    chat: TestClient, web_db: Database
) -> None:
    record_missed(web_db, GRAVES)
    headers = api_login(chat, "alice")
    before = chat_start(chat)["id"]
    assert ANSWER not in " ".join(chat_say(chat, before, text=LATER)["messages"])
    page = chat.get("/admin/apprentissage")
    assert "Titre de la nouvelle réponse" in page.text and GRAVES[0] in page.text

    made = _new_answer(chat, headers["X-CSRF-Token"], "Cimetière", GRAVES)
    assert made.status_code == 303, made.text
    assert made.headers["location"] == "/admin/flows/mairie/2?fait=enregistre"
    with web_db.transaction() as s:
        new = flow_bundles.get_bundle(s, "mairie", 2)
        assert flow_bundles.published_version(s, "mairie") == 1
    assert "  cimetiere:\n    description: Cimetière\n" in (new.text("mairie.intents.yaml") or "")
    entry = yaml.safe_load(new.text("mairie.kb.yaml") or "")["entries"]["cimetiere"]
    assert entry["answer"] == ANSWER and entry["questions"] == GRAVES
    published = chat.post("/api/flows/mairie/versions/2/publish", headers=headers)
    assert published.status_code == 200, published.text

    after = chat_start(chat)["id"]
    assert ANSWER in " ".join(chat_say(chat, after, text=LATER)["messages"])


def test_a_new_answer_that_breaks_held_out_lines_is_refused(
    client: TestClient, web_db: Database
) -> None:
    store_mairie(web_db)
    token = api_login(client, "alice")["X-CSRF-Token"]
    refused = _new_answer(client, token, "Salle des fêtes", HALL)
    assert refused.status_code == 422
    assert "a tagué le mur de la salle des fêtes" in refused.text  # the broken line
    taken = _new_answer(client, token, "Horaires", GRAVES)
    assert taken.status_code == 422
    assert _new_answer(client, token, "", GRAVES).status_code == 422
    assert _new_answer(client, token, "Cimetière", GRAVES, "").status_code == 422
    assert _new_answer(client, "wrong", "Cimetière", GRAVES).status_code == 403
    with web_db.transaction() as s:
        assert [v.version for v in flows.list_versions(s, "mairie")] == [1]
