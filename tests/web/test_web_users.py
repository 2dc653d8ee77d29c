"""Accounts managed by admins from the page and the API, with every refusal."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import api_login, form_token


def test_admin_creates_disables_and_enables_an_agent(client: TestClient) -> None:
    headers = api_login(client, "alice")
    created = client.post("/api/users", json={"username": "chloe", "role": "agent",
                                              "password": "chloe's long password"},
                          headers=headers)
    assert created.status_code == 201 and created.json()["active"] is True
    assert "password" not in created.text and "hash" not in created.text
    assert client.post("/api/users/chloe/disable", headers=headers).json()["active"] is False
    with TestClient(client.app) as other:
        refused = other.post("/api/session", json={"username": "chloe",
                                                   "password": "chloe's long password"})
        assert refused.status_code == 401
        assert client.post("/api/users/chloe/enable", headers=headers).json()["active"]
        api_login_ok = other.post("/api/session", json={"username": "chloe",
                                                        "password": "chloe's long password"})
        assert api_login_ok.status_code == 200
    names = [u["username"] for u in client.get("/api/users").json()]
    assert names == ["alice", "bob", "chloe"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [({"username": "bob", "role": "agent", "password": "a long password"}, 409, "conflict"),
     ({"username": "Bad Name", "role": "agent", "password": "a long password"}, 422,
      "invalid_value"),
     ({"username": "dan", "role": "agent", "password": "short"}, 422, "invalid_request"),
     ({"username": "dan", "role": "mayor", "password": "a long password"}, 422,
      "invalid_request"),
     ({"username": "dan", "password": "a long password"}, 422, "invalid_request")],
)
def test_bad_accounts_are_refused(
    client: TestClient, body: dict[str, str], status: int, code: str
) -> None:
    headers = api_login(client, "alice")
    answer = client.post("/api/users", json=body, headers=headers)
    assert answer.status_code == status and answer.json()["code"] == code


def test_switching_accounts_is_checked(client: TestClient) -> None:
    headers = api_login(client, "alice")
    own = client.post("/api/users/alice/disable", headers=headers)
    assert own.status_code == 409 and "own account" in own.json()["message"]
    assert client.post("/api/users/nobody/disable", headers=headers).status_code == 404
    assert client.post("/api/users/bob/explode", headers=headers).status_code == 422


def test_agents_cannot_manage_accounts(client: TestClient) -> None:
    headers = api_login(client, "bob")
    assert client.get("/api/users").status_code == 403
    assert client.post("/api/users", json={}, headers=headers).status_code == 403
    assert client.post("/api/users/alice/disable", headers=headers).status_code == 403
    assert client.post("/admin/users", data={}).status_code == 403


def test_admin_manages_accounts_with_the_page_forms(client: TestClient) -> None:
    api_login(client, "alice")
    page = client.get("/admin").text
    assert "Désactiver bob" in page and "Désactiver alice" not in page
    token = form_token(page)
    created = client.post("/admin/users", data={"username": "chloe", "role": "agent",
                                                "password": "chloe's long password",
                                                "csrf_token": token})
    assert created.status_code == 303
    client.post("/admin/users/bob/disable", data={"csrf_token": token})
    page = client.get("/admin?fait=compte").text
    assert "Réactiver bob" in page and "Désactiver chloe" in page
    assert 'role="status">Comptes mis à jour.' in page
    short = client.post("/admin/users", data={"username": "dan", "role": "agent",
                                              "password": "short", "csrf_token": token})
    assert short.status_code == 422
    forged = client.post("/admin/users/chloe/disable", data={"csrf_token": "forged"})
    assert forged.status_code == 403


def test_admin_names_each_agents_phone(client: TestClient) -> None:
    headers = api_login(client, "alice")
    created = client.post("/api/users", json={"username": "chloe", "role": "agent",
                                              "password": "chloe's long password",
                                              "phone": "102"}, headers=headers)
    assert created.status_code == 201 and created.json()["phone"] == "102"
    moved = client.put("/api/users/bob/phone", json={"phone": "101"}, headers=headers)
    assert moved.status_code == 200 and moved.json()["phone"] == "101"
    hostile = client.put("/api/users/bob/phone", json={"phone": "101\r\nAction: Originate"},
                         headers=headers)
    assert hostile.status_code == 422 and hostile.json()["code"] == "invalid_value"
    assert client.put("/api/users/nobody/phone", json={"phone": "103"},
                      headers=headers).status_code == 404
    assert client.put("/api/users/bob/phone", json={"phone": "103"}).status_code == 403
    phones = {u["username"]: u["phone"] for u in client.get("/api/users").json()}
    assert phones == {"alice": None, "bob": "101", "chloe": "102"}
    token = form_token(client.get("/admin").text)
    cleared = client.post("/admin/users/chloe/phone", data={"phone": "", "csrf_token": token})
    assert cleared.status_code == 303 and cleared.headers["location"].endswith("poste#comptes")
    page = client.get("/admin?fait=poste").text
    assert 'id="phone-bob" name="phone"' in page and 'value="101"' in page
    assert 'role="status">Poste téléphonique enregistré.' in page
    assert client.post("/admin/users/bob/phone",
                       data={"phone": "104", "csrf_token": "forged"}).status_code == 403
    assert {u["username"]: u["phone"] for u in client.get("/api/users").json()}["chloe"] is None
