"""Flow pages and API for admins: editing with the real checks (errors point at file, node,
field and line; nothing saved), history and diff, publishing refused while a conversation
test fails, import of the shipped flow, role and CSRF rules."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from ivr.storage import flow_bundles, flows
from ivr.storage.database import Database
from tests.dialogs.test_yaml_safe import alias_bomb
from tests.web.conftest import api_login, form_token
from tests.web.flows import GREETING, MAIRIE, store_mairie

BROKEN = MAIRIE["mairie.yaml"].replace("    next: confidentialite\n", "    next: nulle_part\n", 1)
BROKEN_LINE = BROKEN.splitlines().index("    next: nulle_part") + 1


def _versions(db: Database) -> dict[int, bool]:
    with db.transaction() as s:
        return {v.version: v.published for v in flows.list_versions(s, "mairie")}


def test_an_edit_with_an_error_is_shown_next_to_the_editor_and_not_saved(
    client: TestClient, web_db: Database
) -> None:
    store_mairie(web_db)
    api_login(client, "alice")
    page = client.get("/admin/flows/mairie/1/modifier")
    assert page.status_code == 200 and '<label for="texte">' in page.text
    token = form_token(page.text)
    answer = client.post("/admin/flows/mairie/1/modifier",
                         data={"csrf_token": token, "fichier": "mairie.yaml", "text": BROKEN})
    assert answer.status_code == 422
    assert 'role="alert"' in answer.text
    item = re.search(r"<li>Erreur dans <strong>mairie.yaml</strong>.*?</li>", answer.text, re.S)
    assert item is not None, answer.text
    assert f'data-line="{BROKEN_LINE}"' in item.group(0)
    assert "<code>annonces_urgentes</code>" in item.group(0)
    assert "<code>next</code>" in item.group(0) and "nulle_part" in item.group(0)
    assert "nulle_part</textarea>" not in answer.text and "next: nulle_part" in answer.text
    assert _versions(web_db) == {1: True}
    fixed = BROKEN.replace("next: nulle_part", "next: confidentialite")
    saved = client.post("/admin/flows/mairie/1/modifier",
                        data={"csrf_token": token, "fichier": "mairie.yaml", "text": fixed})
    assert saved.status_code == 303
    assert saved.headers["location"] == "/admin/flows/mairie/2?fait=enregistre"
    assert _versions(web_db) == {1: True, 2: False}


def test_history_diff_and_a_publish_refused_by_a_failing_test(
    client: TestClient, web_db: Database
) -> None:
    store_mairie(web_db)
    changed = MAIRIE["mairie.yaml"].replace(GREETING, "Bonjour, ici la mairie.")
    store_mairie(web_db, publish=False, files={**MAIRIE, "mairie.yaml": changed})
    api_login(client, "alice")
    history = client.get("/admin/flows/mairie")
    assert "Publier la version 2" in history.text and "Publier la version 1" not in history.text
    diff = client.get("/admin/flows/mairie/diff", params={"de": 1, "a": 2})
    assert diff.status_code == 200
    assert re.search(r'<tr class="removed">.*?supprimé.*?' + re.escape(GREETING), diff.text,
                     re.S)
    assert re.search(r'<tr class="added">.*?ajouté.*?Bonjour, ici la mairie\.', diff.text, re.S)
    assert "mairie.kb.yaml : identique" in diff.text
    refused = client.post("/admin/flows/mairie/2/publish",
                          data={"csrf_token": form_token(history.text)})
    assert refused.status_code == 422
    assert "Publication refusée" in refused.text
    assert "mairie de Saint-Aubin-sur-Loire" in refused.text  # the failing expectation
    assert _versions(web_db) == {1: True, 2: False}
    api = client.get("/api/flows/mairie/diff", params={"de": 1, "a": 2}).json()
    assert api[0]["filename"] == "mairie.yaml" and api[0]["added"] == api[0]["removed"] >= 1


def test_the_api_reports_issues_and_failures_as_json(client: TestClient,
                                                     web_db: Database) -> None:
    headers = api_login(client, "alice")
    answer = client.post("/api/flows/mairie/versions",
                         json={"files": {**MAIRIE, "mairie.yaml": BROKEN}}, headers=headers)
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "flow_rejected"
    assert {"file": "mairie.yaml", "node": "annonces_urgentes", "field": "next",
            "line": BROKEN_LINE}.items() <= next(
        i for i in body["issues"] if "nulle_part" in i["message"]).items()
    saved = client.post("/api/flows/mairie/versions", json={"files": MAIRIE}, headers=headers)
    assert saved.status_code == 201
    changed = MAIRIE["mairie.yaml"].replace(GREETING, "Bonjour.")
    client.post("/api/flows/mairie/versions", json={"files": {"mairie.yaml": changed},
                                                    "base_version": 1}, headers=headers)
    refused = client.post("/api/flows/mairie/versions/2/publish", headers=headers)
    assert refused.status_code == 422 and refused.json()["failures"]
    assert refused.json()["failures"][0]["file"] == "mairie.tests.yaml"


def test_importing_the_shipped_flow(client: TestClient, web_db: Database) -> None:
    api_login(client, "alice")
    page = client.get("/admin/flows")
    assert "Aucun parcours dans la base" in page.text
    answer = client.post("/admin/flows/import", data={"csrf_token": form_token(page.text)})
    assert answer.status_code == 303
    with web_db.transaction() as s:
        bundle = flow_bundles.get_bundle(s, "mairie", 1)
    assert dict(bundle.files) == MAIRIE and _versions(web_db) == {1: False}
    listing = client.get("/admin/flows")
    assert "aucune (le fichier fourni est utilisé)" in listing.text


@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/admin/flows"), ("GET", "/admin/flows/mairie/1"),
    ("GET", "/admin/flows/mairie/1/modifier"), ("GET", "/admin/flows/mairie/1/simulateur"),
    ("GET", "/admin/flows/mairie/1/horaires"), ("GET", "/admin/flows/mairie/1/connaissances"),
    ("GET", "/admin/flows/mairie/diff?de=1&a=1"), ("GET", "/admin/statistiques"),
    ("GET", "/api/analytics"), ("GET", "/api/flows/mairie/versions/1"),
    ("POST", "/api/flows/mairie/versions"), ("POST", "/api/simulator/mairie/1"),
])
def test_agents_are_refused_admin_pages_and_anonymous_users_must_sign_in(
    client: TestClient, method: str, url: str
) -> None:
    anonymous = client.request(method, url, json={})
    assert anonymous.status_code == 401
    headers = api_login(client, "bob")
    answer = client.request(method, url, json={}, headers=headers)
    assert answer.status_code == 403


def test_forms_and_json_changes_need_the_csrf_token(client: TestClient,
                                                    web_db: Database) -> None:
    store_mairie(web_db, publish=False)
    api_login(client, "alice")
    form = client.post("/admin/flows/mairie/1/modifier",
                       data={"csrf_token": "wrong", "fichier": "mairie.yaml", "text": "x: 1"})
    assert form.status_code == 403
    assert client.post("/admin/flows/mairie/1/publish", data={}).status_code == 403
    assert client.post("/admin/flows/mairie/1/horaires", data={}).status_code == 403
    assert client.post("/api/flows/mairie/versions", json={"files": MAIRIE}).status_code == 403
    assert client.post("/api/simulator/mairie/1", json={}).status_code == 403
    assert _versions(web_db) == {1: False}


def test_an_alias_bomb_is_refused_at_once_and_saves_nothing(client: TestClient,
                                                             web_db: Database) -> None:
    store_mairie(web_db)
    headers = api_login(client, "alice")
    bomb = alias_bomb()
    api = client.post("/api/flows/mairie/versions",
                      json={"files": {"mairie.kb.yaml": bomb}, "base_version": 1},
                      headers=headers)
    assert api.status_code == 422
    assert "anchors (&name) are not allowed" in api.json()["message"]
    page = client.get("/admin/flows/mairie/1/modifier")
    form = client.post("/admin/flows/mairie/1/modifier",
                       data={"csrf_token": form_token(page.text), "fichier": "mairie.yaml",
                             "text": MAIRIE["mairie.yaml"] + bomb.split("nodes:", 1)[1]})
    assert form.status_code == 422 and "anchors (&amp;name) are not allowed" in form.text
    assert _versions(web_db) == {1: True}
    assert client.get("/healthz").status_code == 200
