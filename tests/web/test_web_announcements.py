"""The announcements page: list the published flow's announcements, add one and expire one,
each as a new checked version; bad input refused with nothing saved."""

from __future__ import annotations

import yaml
from fastapi.testclient import TestClient

from ivr.storage import flow_bundles, flows
from ivr.storage.database import Database
from tests.web.conftest import api_login
from tests.web.flows import store_mairie

FILE = "mairie.announcements.yaml"


def _announcements(web_db: Database, version: int) -> dict[str, dict[str, object]]:
    with web_db.transaction() as s:
        text = flow_bundles.get_bundle(s, "mairie", version).text(FILE) or ""
    assert text.startswith("# yaml-language-server")  # the leading comment is kept
    items: dict[str, dict[str, object]] = yaml.safe_load(text)["announcements"]
    return items


def test_an_announcement_is_added_then_expired_in_new_versions(
    client: TestClient, web_db: Database
) -> None:
    store_mairie(web_db)
    token = api_login(client, "alice")["X-CSRF-Token"]
    page = client.get("/admin/flows/mairie/1/annonces")
    assert page.status_code == 200
    assert "crue_loire" in page.text and "terminée" in page.text  # its window is over
    added = client.post("/admin/flows/mairie/1/annonces", data={
        "csrf_token": token, "id": "piscine_fermee", "text": "La piscine est fermée  ce mois-ci.",
        "start": "2026-05-01", "end": "2099-06-01T18:00", "priority": "3",
        "topics": "horaires", "urgent": "1"})
    assert added.status_code == 303, added.text
    assert added.headers["location"] == "/admin/flows/mairie/2?fait=enregistre"
    assert _announcements(web_db, 2)["piscine_fermee"] == {
        "text": "La piscine est fermée ce mois-ci.", "start": "2026-05-01",
        "end": "2099-06-01T18:00", "priority": 3, "urgent": True, "topics": ["horaires"]}
    assert "en cours" in client.get("/admin/flows/mairie/2/annonces").text
    expired = client.post("/admin/flows/mairie/2/annonces/piscine_fermee/terminer",
                          data={"csrf_token": token})
    assert expired.status_code == 303
    end = str(_announcements(web_db, 3)["piscine_fermee"]["end"])
    assert end < "2099" and "T" in end
    with web_db.transaction() as s:
        assert flow_bundles.published_version(s, "mairie") == 1


def test_bad_announcements_are_refused_and_nothing_is_saved(
    client: TestClient, web_db: Database
) -> None:
    store_mairie(web_db)
    token = api_login(client, "alice")["X-CSRF-Token"]
    for fields in ({"id": "Bad Id", "text": "x"}, {"id": "ok", "text": ""},
                   {"id": "ok", "text": "x", "start": "demain"},
                   {"id": "ok", "text": "x", "start": "2026-05-10", "end": "2026-05-01"}):
        refused = client.post("/admin/flows/mairie/1/annonces",
                              data={"csrf_token": token, **fields})
        assert refused.status_code == 422, (fields, refused.text)
        assert "Rien n’a été enregistré" in refused.text
    assert client.post("/admin/flows/mairie/1/annonces/nope/terminer",
                       data={"csrf_token": token}).status_code == 404
    assert client.post("/admin/flows/mairie/1/annonces",
                       data={"csrf_token": "wrong", "id": "ok", "text": "x"}).status_code == 403
    with web_db.transaction() as s:
        assert [v.version for v in flows.list_versions(s, "mairie")] == [1]
