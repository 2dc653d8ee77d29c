"""The admin's page and API: flow versions, privacy settings, export and erasure."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from dialogs.runtime import default_flow_path
from ivr.flow_bundle import read_directory
from ivr.storage import calls
from ivr.storage.database import Database
from tests.web.conftest import api_login, form_token

MAIRIE = read_directory(default_flow_path())
MAIN = MAIRIE["mairie.yaml"]


def test_admin_saves_lists_and_publishes_flow_versions(client: TestClient) -> None:
    headers = api_login(client, "alice")
    first = client.post("/api/flows/mairie/versions", json={"files": MAIRIE}, headers=headers)
    assert first.status_code == 201, first.text
    # yaml_text alone replaces the main file and keeps the newest version's companions
    answer = client.post("/api/flows", json={"name": "mairie", "yaml_text": MAIN},
                         headers=headers)
    assert answer.status_code == 201, answer.text
    assert answer.json()["version"] == 2 and answer.json()["author"] == "alice"
    files = client.get("/api/flows/mairie/versions/2").json()["files"]
    assert files == MAIRIE and next(iter(files)) == "mairie.yaml"
    published = client.post("/api/flows/mairie/versions/1/publish", headers=headers)
    assert published.status_code == 200 and published.json()["published"] is True
    page = client.get("/admin")
    assert "<h1>Administration</h1>" in page.text
    assert 'aria-label="Publier la version 2 du parcours mairie"' in page.text
    assert 'aria-label="Publier la version 1' not in page.text
    answer = client.post("/admin/flows/mairie/2/publish",
                         data={"csrf_token": form_token(page.text)})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/flows/mairie?fait=publie"
    states = {v["version"]: v["published"] for v in client.get("/api/flows").json()}
    assert states == {1: False, 2: True}


@pytest.mark.parametrize(
    ("body", "code"),
    [({"name": "mairie", "yaml_text": "steps: [unclosed"}, "invalid_value"),
     ({"name": "Accueil Principal", "yaml_text": MAIN}, "invalid_value"),
     ({"name": "mairie", "yaml_text": "- a list"}, "flow_rejected"),
     ({"name": "mairie", "yaml_text": "name: accueil\nsteps:\n  - say: Bonjour\n"},
      "flow_rejected"),
     ({"name": "mairie"}, "invalid_request"),
     ({"name": "", "yaml_text": MAIN}, "invalid_request"),
     ({"name": "mairie", "yaml_text": MAIN, "published": True}, "invalid_request")],
)
def test_bad_flow_versions_are_refused(
    client: TestClient, body: dict[str, object], code: str
) -> None:
    headers = api_login(client, "alice")
    answer = client.post("/api/flows", json=body, headers=headers)
    assert answer.status_code == 422 and answer.json()["code"] == code
    assert client.get("/api/flows").json() == []


def test_publishing_a_missing_version_is_404(client: TestClient) -> None:
    headers = api_login(client, "alice")
    answer = client.post("/api/flows/accueil/versions/9/publish", headers=headers)
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert client.post("/api/flows/accueil/versions/x/publish", headers=headers
                       ).status_code == 422


def test_admin_changes_privacy_settings(client: TestClient) -> None:
    headers = api_login(client, "alice")
    assert client.get("/api/settings").json() == {"store_audio": False, "retention_days": 30}
    answer = client.put("/api/settings", json={"store_audio": True, "retention_days": 14},
                        headers=headers)
    assert answer.json() == {"store_audio": True, "retention_days": 14}
    page = client.get("/admin").text
    assert 'name="store_audio" type="checkbox" checked' in page
    assert 'value="14"' in page
    for bad in ({}, {"retention_days": 0}, {"retention_days": 4000}, {"store_audio": "maybe"},
                {"colour": "blue"}):
        refused = client.put("/api/settings", json=bad, headers=headers)
        assert refused.status_code == 422, bad


def test_admin_exports_and_erases_by_phone_number(client: TestClient, web_db: Database) -> None:
    with web_db.transaction() as s:
        calls.start_call(s, "c1", "0612345678")
        calls.add_turn(s, "c1", "caller", "bonjour")
    headers = api_login(client, "alice")
    exported = client.post("/api/privacy/export", json={"phone": "+33 6 12 34 56 78"},
                           headers=headers)
    assert exported.status_code == 200
    assert [c["id"] for c in exported.json()["calls"]] == ["c1"]
    erased = client.post("/api/privacy/erase", json={"phone": "0612345678"}, headers=headers)
    assert erased.json()["deleted"]["calls"] == 1
    again = client.post("/api/privacy/export", json={"phone": "0612345678"}, headers=headers)
    assert again.json()["calls"] == []
    bad = client.post("/api/privacy/export", json={"phone": "pas un numéro"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_value"
    assert client.post("/api/privacy/erase", json={}, headers=headers).status_code == 422


def test_admin_changes_settings_with_the_page_form(client: TestClient) -> None:
    api_login(client, "alice")
    token = form_token(client.get("/admin").text)
    answer = client.post("/admin/settings", data={"store_audio": "on", "retention_days": "10",
                                                  "csrf_token": token})
    assert answer.status_code == 303
    assert client.get("/api/settings").json() == {"store_audio": True, "retention_days": 10}
    client.post("/admin/settings", data={"retention_days": "10", "csrf_token": token})
    assert client.get("/api/settings").json()["store_audio"] is False  # unticked box
    for bad in ("0", "3651", "trente", ""):
        refused = client.post("/admin/settings", data={"retention_days": bad,
                                                       "csrf_token": token})
        assert refused.status_code == 422, bad
        assert "Formulaire incomplet ou invalide" in refused.text
    assert client.get("/api/settings").json()["retention_days"] == 10


def test_admin_downloads_and_erases_with_the_page_forms(
    client: TestClient, web_db: Database
) -> None:
    with web_db.transaction() as s:
        calls.start_call(s, "c1", "0612345678")
    api_login(client, "alice")
    token = form_token(client.get("/admin").text)
    download = client.post("/admin/privacy/export",
                           data={"phone": "06 12 34 56 78", "csrf_token": token})
    assert download.status_code == 200
    assert download.headers["content-disposition"] == (
        'attachment; filename="export-0612345678.json"')
    assert [c["id"] for c in download.json()["calls"]] == ["c1"]
    unconfirmed = client.post("/admin/privacy/erase",
                              data={"phone": "0612345678", "csrf_token": token})
    assert unconfirmed.status_code == 422 and "confirmation" in unconfirmed.text
    with web_db.transaction() as s:
        assert len(calls.list_calls(s)) == 1
    erased = client.post("/admin/privacy/erase",
                         data={"phone": "0612345678", "confirm": "on", "csrf_token": token})
    assert erased.status_code == 303
    assert "Données du numéro effacées." in client.get(erased.headers["location"]).text
    with web_db.transaction() as s:
        assert calls.list_calls(s) == []
    bad = client.post("/admin/privacy/export", data={"phone": "abc", "csrf_token": token})
    assert bad.status_code == 422
