"""Forms for hours, closures and knowledge-base answers: each save is checked with the whole
flow and becomes a new version; errors are shown on the form and nothing is saved."""

from __future__ import annotations

import re

import yaml
from fastapi.testclient import TestClient

from ivr.storage import flow_bundles, flows
from ivr.storage.database import Database
from tests.web.conftest import api_login
from tests.web.flows import store_mairie


def _form(page: str) -> dict[str, str]:
    """The values a browser would send for the page's form (text, hidden, textarea)."""
    fields = dict(re.findall(r'<input id="[^"]*" name="([^"]+)" type="(?:text|date|number)"'
                             r'[^>]*?value="([^"]*)"', page))
    fields.update(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    fields.update((k, v.replace("&#39;", "'").replace("&amp;", "&")) for k, v in re.findall(
        r'<textarea id="[^"]*" name="([^"]+)"[^>]*>([^<]*)</textarea>', page))
    return {k: v.replace("&#39;", "'").replace("&amp;", "&") for k, v in fields.items()}


def _file(db: Database, version: int, name: str) -> object:
    with db.transaction() as s:
        return yaml.safe_load(flow_bundles.get_bundle(s, "mairie", version).text(name) or "")


def test_hours_and_a_closure_are_saved_as_a_new_version(client: TestClient,
                                                        web_db: Database) -> None:
    store_mairie(web_db)
    api_login(client, "alice")
    page = client.get("/admin/flows/mairie/1/horaires")
    assert '<label for="svc-0-lundi">Lundi' in page.text
    fields = _form(page.text)
    assert fields["svc-0-name"] == "accueil" and fields["svc-0-samedi"] == "09:00-12:00"
    fields["svc-0-samedi"] = "09:00-11:30"
    fields["cl-3-start"], fields["cl-3-label"] = "2026-07-13", "pont du 14 juillet"
    answer = client.post("/admin/flows/mairie/1/horaires", data=fields)
    assert answer.status_code == 303, answer.text
    hours = _file(web_db, 2, "mairie.hours.yaml")
    assert isinstance(hours, dict)
    assert hours["services"]["accueil"]["hours"]["samedi"] == ["09:00-11:30"]
    assert hours["services"]["accueil"]["hours"]["lundi"] == ["08:30-12:00", "13:30-17:30"]
    assert {"start": "2026-07-13", "label": "pont du 14 juillet"} in hours["closures"]
    assert len(hours["closures"]) == 4


def test_a_bad_range_is_shown_and_nothing_saved(client: TestClient, web_db: Database) -> None:
    store_mairie(web_db)
    api_login(client, "alice")
    fields = _form(client.get("/admin/flows/mairie/1/horaires").text)
    fields["svc-0-mardi"] = "18:00-08:00"
    answer = client.post("/admin/flows/mairie/1/horaires", data=fields)
    assert answer.status_code == 422 and 'role="alert"' in answer.text
    assert "ends before it starts" in answer.text
    assert 'value="18:00-08:00"' in answer.text  # what was typed is kept
    with web_db.transaction() as s:
        assert [v.version for v in flows.list_versions(s, "mairie")] == [1]


def test_knowledge_answers_are_edited_and_a_used_entry_cannot_be_deleted(
    client: TestClient, web_db: Database
) -> None:
    store_mairie(web_db)
    api_login(client, "alice")
    page = client.get("/admin/flows/mairie/1/connaissances")
    fields = _form(page.text)
    index = next(k.split("-")[1] for k, v in fields.items()
                 if k.endswith("-id") and v == "horaires_dechetterie")
    fields[f"kb-{index}-answer"] = "La déchèterie ouvre de 9 heures à 17 heures."
    fields.update({"kb-new-id": "marche", "kb-new-topic": "horaires",
                   "kb-new-questions": "quand a lieu le marché", "kb-new-answer":
                   "Le marché a lieu le samedi matin sur la place de l'église."})
    answer = client.post("/admin/flows/mairie/1/connaissances", data=fields)
    assert answer.status_code == 303, answer.text
    kb = _file(web_db, 2, "mairie.kb.yaml")
    assert isinstance(kb, dict)
    assert kb["entries"]["horaires_dechetterie"]["answer"].startswith("La déchèterie ouvre")
    assert kb["entries"]["marche"]["questions"] == ["quand a lieu le marché"]
    # the answer node of topic "elections" needs at least one entry of that topic
    fields = _form(client.get("/admin/flows/mairie/2/connaissances").text)
    for key in [k for k, v in fields.items() if k.endswith("-topic") and v == "elections"]:
        fields[key.replace("-topic", "-delete")] = "on"
    refused = client.post("/admin/flows/mairie/2/connaissances", data=fields)
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert "no knowledge entry has topic &#39;elections&#39;" in refused.text
    with web_db.transaction() as s:
        assert len(flows.list_versions(s, "mairie")) == 2
